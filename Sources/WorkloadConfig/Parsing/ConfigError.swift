/// One problem in a configuration: where (the full key path) and what.
package struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var message: String

    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in a configuration, reported together (exit 78).
package struct ConfigError: Error, Sendable, CustomStringConvertible {
    package var source: String
    package var problems: [ConfigProblem]

    package init(source: String, problems: [ConfigProblem]) {
        self.source = source
        self.problems = problems
    }

    package var description: String {
        let noun = problems.count == 1 ? "problem" : "problems"
        return (["\(source): \(problems.count) configuration \(noun):"] + problems.map { "  - \($0)" })
            .joined(separator: "\n")
    }
}
