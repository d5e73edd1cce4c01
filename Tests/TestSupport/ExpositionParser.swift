/// A deliberately small, strict reader of the Prometheus text format 0.0.4, written from
/// the format description (not from the renderer), so tests check what a scraper sees.
package struct Exposition {
    package struct Sample: Equatable {
        package var name: String
        package var labels: [String: String]
        package var value: Double
    }

    package var help: [String: String] = [:]
    package var types: [String: String] = [:]
    package var samples: [Sample] = []

    package enum ParseError: Error, Equatable {
        case badLine(Int, String)
    }

    package init(parsing text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw ParseError.badLine(0, "no final line feed") }
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                guard let space = rest.firstIndex(of: " ") else { throw ParseError.badLine(number, String(line)) }
                help[String(rest[..<space])] = try Self.unescape(rest[rest.index(after: space)...], quotes: false)
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, ["counter", "gauge", "summary", "histogram", "untyped"].contains(parts[1]) else {
                    throw ParseError.badLine(number, String(line))
                }
                guard types[String(parts[0])] == nil else { throw ParseError.badLine(number, "TYPE twice") }
                types[String(parts[0])] = String(parts[1])
            } else if line.hasPrefix("#") {
                continue
            } else {
                samples.append(try Self.sample(line, number: number))
            }
        }
    }

    private static func sample(_ line: Substring, number: Int) throws -> Sample {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard !name.isEmpty else { throw ParseError.badLine(number, String(line)) }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw ParseError.badLine(number, String(line)) }
                let label = String(rest[..<equals])
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw ParseError.badLine(number, String(line)) }
                rest = rest.dropFirst()
                // Find the closing quote, skipping escaped characters.
                var index = rest.startIndex
                while index < rest.endIndex, rest[index] != "\"" {
                    if rest[index] == "\\" { index = rest.index(after: index) }
                    guard index < rest.endIndex else { break }
                    index = rest.index(after: index)
                }
                guard index < rest.endIndex else { throw ParseError.badLine(number, String(line)) }
                guard labels[label] == nil else { throw ParseError.badLine(number, "label twice") }
                labels[label] = try unescape(rest[..<index], quotes: true)
                rest = rest[rest.index(after: index)...]
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw ParseError.badLine(number, String(line)) }
        let fields = rest.dropFirst().split(separator: " ")
        guard fields.count == 1 || fields.count == 2 else { throw ParseError.badLine(number, String(line)) }
        let text = String(fields[0])
        let value: Double
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(text) else { throw ParseError.badLine(number, String(line)) }
            value = parsed
        }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func unescape(_ text: Substring, quotes: Bool) throws -> String {
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                switch c {
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "\"" where quotes: out.append("\"")
                default: throw ParseError.badLine(0, "bad escape \\\(c)")
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\n" || (quotes && c == "\"") {
                throw ParseError.badLine(0, "unescaped \(c)")
            } else {
                out.append(c)
            }
        }
        guard !escaped else { throw ParseError.badLine(0, "dangling backslash") }
        return out
    }

    /// The value of the one sample with this name and exactly these labels.
    package func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matches = samples.filter { $0.name == name && $0.labels == labels }
        return matches.count == 1 ? matches[0].value : nil
    }
}
