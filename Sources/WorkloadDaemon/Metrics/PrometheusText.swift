/// Spelling rules of the Prometheus text exposition format, version 0.0.4.
enum PrometheusText {
    /// The `Content-Type` of a rendered registry.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isValidMetricName(_ name: String) -> Bool {
        isValidIdentifier(name, allowColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and not `__…` (reserved for Prometheus itself).
    static func isValidLabelName(_ name: String) -> Bool {
        isValidIdentifier(name, allowColon: false) && !name.hasPrefix("__")
    }

    private static func isValidIdentifier(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || c == UInt8(ascii: "_") || (allowColon && c == UInt8(ascii: ":"))
        }
        guard isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// HELP text escapes backslash and line feed (a double quote stays as it is).
    static func escapeHelp(_ help: String) -> String {
        var out = ""
        for scalar in help.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `a="x",b="y"`, escaped, without braces.
    static func labelPairs(names: [String], values: [String]) -> String {
        zip(names, values).map { "\($0)=\"\(escapeLabelValue($1))\"" }.joined(separator: ",")
    }

    /// A sample value as Go's `ParseFloat` reads it: integers without a fraction,
    /// `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return value.description
    }

    /// `# HELP` and `# TYPE` lines of one family.
    static func header(name: String, help: String, type: String, into out: inout String) {
        out += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    /// One sample line: `name{labels} value`.
    static func sample(name: String, labels: String, value: String, into out: inout String) {
        out += name
        if !labels.isEmpty { out += "{\(labels)}" }
        out += " \(value)\n"
    }
}
