/// Strict parsing of a bootstrap server list (`kafka.brokers`, `--brokers`):
/// comma-separated `host:port` entries, each optionally with a security
/// protocol prefix (`SASL_SSL://host:port`); hosts are names, IPv4 or
/// bracketed IPv6 literals; ports 1-65535 (librdkafka's default 9092 when
/// left out). librdkafka itself would silently take port 99999 modulo 65536
/// and wait 30 s on an empty list.
package enum BrokerList {
    static let protocols = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]

    /// Every problem with `list`, empty when it is usable.
    package static func problems(_ list: String) -> [String] {
        let entries = list.split(separator: ",", omittingEmptySubsequences: false)
        guard !list.allSatisfy(\.isWhitespace) else { return ["must list at least one host:port (got \"\(list)\")"] }
        var problems: [String] = []
        for raw in entries {
            let entry = raw.trimmingWhitespace
            if let complaint = problem(entry) { problems.append("\(complaint) (got \"\(entry)\" in \"\(list)\")") }
        }
        return problems
    }

    static func problem(_ entry: Substring) -> String? {
        guard !entry.isEmpty else { return "empty entry" }
        var rest = entry
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].uppercased()
            guard protocols.contains(name) else { return "unknown protocol \(name) (expected one of \(protocols.joined(separator: ", ")))" }
            rest = rest[scheme.upperBound...]
        }
        var host = rest
        var port: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return "unterminated [IPv6] host" }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return "expected :port after ]" }
                port = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return "not an IPv6 address" }
        } else {
            if let colon = rest.lastIndex(of: ":") {
                host = rest[..<colon]
                port = rest[rest.index(after: colon)...]
            }
            if host.contains(":") { return "write IPv6 hosts in brackets, e.g. [::1]:9092" }
            guard isHostName(host) else { return "not a host name or address" }
        }
        if let port, !isPort(port) { return "port must be a number from 1 to 65535" }
        return nil
    }

    /// Letters, digits, hyphens and dots (RFC 1123 labels; underscores tolerated), at most 253 characters.
    static func isHostName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }

    /// 1 to 65535, digits only (no sign, no spaces).
    static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text) else { return false }
        return (1...65535).contains(value)
    }
}

extension Substring {
    var trimmingWhitespace: Substring {
        var text = self
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }
}
