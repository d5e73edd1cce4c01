import Testing
@testable import WorkloadDaemon

/// What a restart makes of the records it read back, per partition: held, lost (a
/// hole below records Kafka holds), skipped by an earlier start, or not yet published;
/// and where the next read-back must begin for a checkpoint at a given seq.
@Suite("ResumeCover")
struct ResumeCoverTests {
    static func data(_ seq: Int) -> [UInt8] { Array("{\"type\":\"request\",\"seq\":\(seq),\"time_s\":\(seq).0}".utf8) }
    static func watermark(after seq: Int, time: Double) -> [UInt8] {
        Array("{\"type\":\"watermark\",\"after_seq\":\(seq),\"time_s\":\(time)}".utf8)
    }
    static func skipped(after seq: Int, to: Double) -> [UInt8] {
        Array("{\"type\":\"skipped\",\"after_seq\":\(seq),\"from_time_s\":1.0,\"to_time_s\":\(to),\"time_s\":\(to)}".utf8)
    }

    /// Partition 0 of the requests topic holds seqs 10, 12 and 15 at offsets 100-102 (then a watermark).
    static func cover(complete: Bool) -> ResumeCover {
        var cover = ResumeCover(partitions: [2, 1])
        cover.complete[0][0] = complete
        cover.ends[0][0] = 104
        cover.take(topicIndex: 0, partition: 0, offset: 100, value: data(10), kind: .data)
        cover.take(topicIndex: 0, partition: 0, offset: 101, value: data(12), kind: .data)
        cover.take(topicIndex: 0, partition: 0, offset: 102, value: data(15), kind: .data)
        cover.take(topicIndex: 0, partition: 0, offset: 103, value: watermark(after: 17, time: 17.5), kind: .watermark)
        return cover
    }

    @Test("a seq missing below records Kafka holds is lost; above them, absent")
    func lostAndAbsent() {
        let cover = Self.cover(complete: true)
        #expect(cover.holding(topicIndex: 0, partition: 0, seq: 12, time: 12) == .held)
        #expect(cover.holding(topicIndex: 0, partition: 0, seq: 11, time: 11) == .lost)
        #expect(cover.holding(topicIndex: 0, partition: 0, seq: 16, time: 16) == .lost, "the watermark after 17 follows it")
        #expect(cover.holding(topicIndex: 0, partition: 0, seq: 18, time: 18) == .absent)
        #expect(cover.holding(topicIndex: 0, partition: 1, seq: 11, time: 11) == .absent, "nothing read on partition 1")
        // A read that may have begun after it cannot tell a seq below everything it found.
        let tail = Self.cover(complete: false)
        #expect(tail.holding(topicIndex: 0, partition: 0, seq: 9, time: 9) == .held)
        #expect(tail.holding(topicIndex: 0, partition: 0, seq: 11, time: 11) == .lost, "between two records it found")
    }

    @Test("the next read-back begins at the first record reaching the checkpoint's seq")
    func resumeOffsets() {
        let cover = Self.cover(complete: true)
        #expect(cover.resumeOffset(topicIndex: 0, partition: 0, after: 11) == 101)
        #expect(cover.resumeOffset(topicIndex: 0, partition: 0, after: 15) == 102)
        #expect(cover.resumeOffset(topicIndex: 0, partition: 0, after: 16) == 103, "the watermark reaches 17")
        #expect(cover.resumeOffset(topicIndex: 0, partition: 0, after: 18) == 104, "nothing reaches it: the end")
        #expect(Self.cover(complete: false).resumeOffset(topicIndex: 0, partition: 0, after: 11) == -1, "unknown")
    }

    @Test("a later start's lower watermark does not shrink the cover; a skipped marker is honoured and bounds the read-back")
    func watermarksAndMarkers() {
        var cover = Self.cover(complete: true)
        cover.take(topicIndex: 0, partition: 0, offset: 104, value: Self.watermark(after: 13, time: 18), kind: .watermark)
        #expect(cover.covers(topicIndex: 0, partition: 0, seq: 17))
        cover.complete[1][0] = true
        cover.take(topicIndex: 1, partition: 0, offset: 50, value: Self.skipped(after: 20, to: 30), kind: .skipped)
        #expect(cover.holding(topicIndex: 0, partition: 1, seq: 21, time: 25_000_000_000) == .skipped)
        #expect(cover.holding(topicIndex: 0, partition: 1, seq: 21, time: 31_000_000_000) == .absent)
        #expect(cover.holding(topicIndex: 0, partition: 1, seq: 20, time: 25_000_000_000) == .absent, "not after the marker's seq")
        #expect(cover.resumeOffset(topicIndex: 1, partition: 0, after: 19) == 50, "the marker is read again")
    }
}
