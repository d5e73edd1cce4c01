/// Per topic, per partition, an offset: as text, one `topic partition offset`
/// line each (the state directory's `start-offsets`, readable by eye).
enum PartitionOffsets {
    static func text(_ offsets: [String: [Int64]]) -> String {
        offsets.keys.sorted().flatMap { topic in
            (offsets[topic] ?? []).enumerated().map { "\(topic) \($0.offset) \($0.element)\n" }
        }.joined()
    }

    /// The state directory's file: `text`, then the CRC-32C of it (`checksum 89abcdef`):
    /// a changed digit would move where a restart reads back from, and so what it publishes again.
    static func file(_ offsets: [String: [Int64]]) -> String {
        let body = text(offsets)
        return body + "checksum " + checksum(body) + "\n"
    }

    private static func checksum(_ body: String) -> String {
        let crc = String(CRC32C.checksum(Array(body.utf8)), radix: 16)
        return String(repeating: "0", count: 8 - crc.count) + crc
    }

    /// The file's offsets; nil when its checksum does not match or a line does not parse. A
    /// file without the checksum line (an earlier build's) is read as it was.
    static func parseFile(_ text: String) -> [String: [Int64]]? {
        guard let range = text.range(of: "checksum ", options: .backwards),
              range.lowerBound == text.startIndex || text[text.index(before: range.lowerBound)] == "\n"
        else { return parse(text) }
        let body = String(text[..<range.lowerBound])
        guard text[range.upperBound...] == checksum(body) + "\n" else { return nil }
        return parse(body)
    }

    /// nil when a line is not `topic partition offset`.
    static func parse(_ text: String) -> [String: [Int64]]? {
        var offsets: [String: [Int64]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let partition = Int(parts[1]), partition >= 0, partition < 1 << 20,
                  let offset = Int64(parts[2]) else { return nil }
            var list = offsets[String(parts[0]), default: []]
            if list.count <= partition { list += [Int64](repeating: -1, count: partition + 1 - list.count) }
            list[partition] = offset
            offsets[String(parts[0])] = list
        }
        return offsets
    }

    /// The higher of the two per partition (-1, or a missing partition, is
    /// unknown): two lower bounds of where a run's later records lie give the
    /// tighter one.
    static func higher(_ a: [String: [Int64]], _ b: [String: [Int64]]) -> [String: [Int64]] {
        a.merging(b) { x, y in
            (0..<Swift.max(x.count, y.count)).map { Swift.max($0 < x.count ? x[$0] : -1, $0 < y.count ? y[$0] : -1) }
        }
    }
}
