import Testing
@testable import WorkloadDaemon

/// The state directory's checkpoint header and start offsets:
/// the offsets a restart reads back from survive the round trip, and a
/// checkpoint of the first layout (no offsets) still loads.
@Suite struct RunCheckpointTests {
    @Test func offsetsRoundTripAndTheFirstLayoutStillLoads() throws {
        let offsets: [String: [Int64]] = ["llm.requests": [12, -1, 7], "llm.sessions": [0]]
        let checkpoint = RunCheckpoint(lastSeq: 41, lastTime: 9_000, pacingAnchorUnixNanoseconds: -5, offsets: offsets, engine: [1, 2, 3])
        let back = try #require(RunCheckpoint(bytes: checkpoint.bytes))
        #expect(back.offsets == offsets && back.engine == [1, 2, 3] && back.lastSeq == 41 && back.lastTime == 9_000
                && back.pacingAnchorUnixNanoseconds == -5)

        // The first layout: magic "LLMWUNT1", four words, then the engine.
        var old: [UInt8] = []
        for word in [RunCheckpoint.magicWithoutOffsets, 42, 9_000, UInt64(bitPattern: -5)] {
            withUnsafeBytes(of: word.littleEndian) { old.append(contentsOf: $0) }
        }
        let first = try #require(RunCheckpoint(bytes: old + [1, 2, 3]))
        #expect(first.offsets.isEmpty && first.engine == [1, 2, 3] && first.lastSeq == 41)

        // A truncated offsets section is not a checkpoint (not an engine of garbage).
        #expect(RunCheckpoint(bytes: Array(checkpoint.bytes.prefix(40))) == nil)
    }

    /// The current layout carries a magic, its length and a CRC-32C: any changed,
    /// missing or added byte is refused with what is wrong; the second layout still loads.
    @Test func checksumLengthAndMagicAreChecked() throws {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)  // the standard check value
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)

        let checkpoint = RunCheckpoint(lastSeq: 41, lastTime: 9_000, pacingAnchorUnixNanoseconds: -5, offsets: ["t": [3]], engine: [1, 2, 3])
        let bytes = checkpoint.bytes
        #expect(Array(bytes.prefix(8)) == Array("LLMWCKP3".utf8))
        #expect(try RunCheckpoint.decode(bytes) == checkpoint)

        var flipped = bytes
        flipped[20] ^= 0x01  // in lastSeq
        let stored = CRC32C.checksum(bytes.dropLast(4)), computed = CRC32C.checksum(flipped.dropLast(4))
        #expect(throws: RunCheckpointError.checksum(stored: stored, computed: computed)) { try RunCheckpoint.decode(flipped) }
        do {
            _ = try RunCheckpoint.decode(flipped)
        } catch {
            #expect("\(error)".contains("corrupt") && "\(error)".contains("CRC-32C"), "\(error)")
        }
        #expect(throws: RunCheckpointError.length(recorded: UInt64(bytes.count - 20), actual: bytes.count - 21)) {
            try RunCheckpoint.decode(Array(bytes.dropLast()))
        }
        #expect(throws: RunCheckpointError.length(recorded: UInt64(bytes.count - 20), actual: bytes.count - 19)) {
            try RunCheckpoint.decode(bytes + [0])
        }
        #expect(throws: RunCheckpointError.truncated(size: 7)) { try RunCheckpoint.decode(Array(bytes.prefix(7))) }
        #expect(throws: RunCheckpointError.self) { try RunCheckpoint.decode(Array("not a checkpoint".utf8)) }

        // The second layout (no length, no checksum), as the previous build wrote it.
        var second: [UInt8] = []
        for word in [RunCheckpoint.magicWithoutChecksum, 42, 9_000, UInt64(bitPattern: -5)] {
            withUnsafeBytes(of: word.littleEndian) { second.append(contentsOf: $0) }
        }
        second += [1, 0, 0, 0, 1, 0, 0, 0, UInt8(ascii: "t"), 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]
        #expect(try RunCheckpoint.decode(second) == checkpoint)
        // Its partition count beyond the bytes left is refused, not read past the end.
        second[44] = 0xFF
        #expect(throws: RunCheckpointError.self) { try RunCheckpoint.decode(second) }
    }

    /// The run record ends with the CRC-32C of its lines: a changed digit is refused
    /// (it would continue the run with other times); a record of version 1 still loads.
    @Test func runRecordChecksum() throws {
        let configuration = try EngineCheckpointTests.configuration("example", duration: 60, seed: 5)
        let record = RunRecord(configuration, anchorUnixNanoseconds: 1_767_225_600_000_000_000, shard: nil)
        let text = record.text
        #expect(text.hasPrefix("# llm-workload run state") && text.contains("\nchecksum "))
        #expect(RunRecord(text: text) == record)
        let changed = text.replacingOccurrences(of: "anchor_unix_ns 1767225600000000000", with: "anchor_unix_ns 1767225600000000001")
        #expect(changed != text && RunRecord(text: changed) == nil)
        #expect(RunRecord(text: String(text.dropLast(3))) == nil)
        let withoutChecksum = String(text[..<text.range(of: "checksum ")!.lowerBound])
        #expect(RunRecord(text: withoutChecksum) == nil, "a version 2 record without its checksum line")
        let first = withoutChecksum.replacingOccurrences(of: "version 2", with: "version 1")
        #expect(RunRecord(text: first) == record)
    }

    @Test func startOffsetsAsTextAndTheHigherBound() {
        let offsets: [String: [Int64]] = ["b": [3, 4], "a": [0]]
        #expect(PartitionOffsets.text(offsets) == "a 0 0\nb 0 3\nb 1 4\n")
        #expect(PartitionOffsets.parse(PartitionOffsets.text(offsets)) == offsets)
        #expect(PartitionOffsets.parse("a zero 1\n") == nil)
        // -1 (unknown) gives way to a known offset; two known give the higher.
        #expect(PartitionOffsets.higher(["t": [-1, 9, 2]], ["t": [5, 3], "u": [1]]) == ["t": [5, 9, 2], "u": [1]])

        // The file carries a checksum line: a changed digit (which would move the read-back) is refused;
        // an earlier build's file, without the line, still reads.
        let file = PartitionOffsets.file(offsets)
        #expect(file.hasPrefix("a 0 0\nb 0 3\nb 1 4\nchecksum ") && file.hasSuffix("\n"))
        #expect(PartitionOffsets.parseFile(file) == offsets)
        #expect(PartitionOffsets.parseFile(file.replacingOccurrences(of: "b 1 4", with: "b 1 9")) == nil)
        #expect(PartitionOffsets.parseFile(String(file.dropLast(2))) == nil)
        #expect(PartitionOffsets.parseFile(PartitionOffsets.text(offsets)) == offsets)
    }
}
