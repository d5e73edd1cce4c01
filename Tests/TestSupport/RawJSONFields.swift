/// Reads fields of one of our JSON lines as written (the exact digits of a
/// `*_s` field, not a Double rounded from them), so that tests can check
/// time arithmetic to the nanosecond, independently of the decoder under test.
package struct RawJSONFields {
    package let line: Substring

    package init(_ line: Substring) { self.line = line }

    /// The raw text of top-level field `name` (a string without its quotes,
    /// an array with its brackets), or nil when absent.
    package func text(_ name: String) -> Substring? {
        guard var index = Self.end(of: "\"\(name)\":", in: line) else { return nil }
        if line[index] == "\"" {
            index = line.index(after: index)
            let end = line[index...].firstIndex(of: "\"")!
            return line[index..<end]
        }
        if line[index] == "[" {
            let end = line[index...].firstIndex(of: "]")!
            return line[index...end]
        }
        let end = line[index...].firstIndex { $0 == "," || $0 == "}" }!
        return line[index..<end]
    }

    /// The index just past the first occurrence of `needle` in `line`. A search of the UTF-8
    /// bytes: Foundation's `range(of:)` converts the line to UTF-16 first, and took most of the
    /// time of the tests that read an hour of stream field by field.
    static func end(of needle: String, in line: Substring) -> Substring.Index? {
        let key = Array(needle.utf8)
        let bytes = line.utf8
        var from = bytes.startIndex
        while let first = bytes[from...].firstIndex(of: key[0]) {
            if bytes[first...].starts(with: key) { return bytes.index(first, offsetBy: key.count) }
            from = bytes.index(after: first)
        }
        return nil
    }

    package func string(_ name: String) -> String? { text(name).map(String.init) }

    package func integer(_ name: String) -> Int64? { text(name).flatMap { Int64($0) } }

    /// A seconds field written with nine decimals, as integer nanoseconds.
    package func nanoseconds(_ name: String) -> Int64? {
        guard let text = text(name) else { return nil }
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : text
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 9, let whole = Int64(parts[0]), let fraction = Int64(parts[1]) else { return nil }
        let value = whole * 1_000_000_000 + fraction
        return negative ? -value : value
    }

    /// The request IDs of a `depends_on` array.
    package func requestIDs(_ name: String) -> [String]? {
        guard let text = text(name) else { return nil }
        return text.dropFirst().dropLast().split(separator: ",").map { String($0.dropFirst().dropLast()) }
    }
}
