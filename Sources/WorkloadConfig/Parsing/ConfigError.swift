/// One problem in a configuration: where (the full key path) and what.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in a configuration, reported together (exit 78).
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var problems: [ConfigProblem]

    public init(source: String, problems: [ConfigProblem]) {
        self.source = source
        self.problems = problems
    }

    public var description: String {
        let noun = problems.count == 1 ? "problem" : "problems"
        return (["\(source): \(problems.count) configuration \(noun):"] + problems.map { "  - \($0)" })
            .joined(separator: "\n")
    }
}
