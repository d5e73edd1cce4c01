import Testing
@testable import WorkloadDaemon

/// The state directory's checkpoint header and start offsets (issue 11):
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

    @Test func startOffsetsAsTextAndTheHigherBound() {
        let offsets: [String: [Int64]] = ["b": [3, 4], "a": [0]]
        #expect(PartitionOffsets.text(offsets) == "a 0 0\nb 0 3\nb 1 4\n")
        #expect(PartitionOffsets.parse(PartitionOffsets.text(offsets)) == offsets)
        #expect(PartitionOffsets.parse("a zero 1\n") == nil)
        // -1 (unknown) gives way to a known offset; two known give the higher.
        #expect(PartitionOffsets.higher(["t": [-1, 9, 2]], ["t": [5, 3], "u": [1]]) == ["t": [5, 9, 2], "u": [1]])
    }
}
