import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka

/// The consumer's rule on hand-made records: a partition's time is the minimum
/// over its producers' latest watermarks; `final` ends a producer.
@Suite struct WatermarkMergerTests {
    static let p0 = WatermarkMerger.PartitionID(topic: "t", partition: 0)
    static let p1 = WatermarkMerger.PartitionID(topic: "t", partition: 1)

    static func mark(_ time: String, shard: Int, of shards: Int, final: Bool = false) -> [UInt8] {
        Array(#"{"type":"watermark","schema_version":1,"run_id":"r","after_seq":3,"time_s":\#(time),"time":"x","topic":"t","partition":0,"shard":\#(shard),"shards":\#(shards)\#(final ? #","final":true"# : "")}"#.utf8)
    }

    static func event(_ seq: Int, _ time: String, session: String = "00000000000000aa") -> [UInt8] {
        Array(#"{"type":"request","schema_version":1,"run_id":"r","seq":\#(seq),"time_s":\#(time),"time":"x","session_id":"\#(session)","last_request_time_s":0.5}"#.utf8)
    }

    static func released(_ merger: inout WatermarkMerger) -> [Int] {
        var seqs: [Int] = []
        merger.release { value in
            let text = String(decoding: value, as: UTF8.self)
            seqs.append(Int(text[text.range(of: "\"seq\":")!.upperBound...].prefix { $0.isNumber })!)
        }
        return seqs
    }

    /// The shard `--shard k/n` gives a session key.
    static func shard(of session: String, _ n: Int32) -> Int32 {
        Array(session.utf8).withUnsafeBytes { Murmur2.partition(forKey: $0, partitionCount: n) }
    }

    @Test func waitsForEveryProducerOnEveryPartition() {
        var merger = WatermarkMerger(partitions: [Self.p0, Self.p1])
        merger.add(Self.event(2, "1.000000000"), from: Self.p0)
        merger.add(Self.event(1, "1.000000000"), from: Self.p1)
        merger.add(Self.event(3, "2.500000000"), from: Self.p0)
        merger.add(Self.mark("3.000000000", shard: 0, of: 2), from: Self.p0)
        merger.add(Self.mark("3.000000000", shard: 0, of: 2), from: Self.p1)
        merger.add(Self.mark("3.000000000", shard: 1, of: 2), from: Self.p0)
        // Partition 1 has heard from one of its two producers only.
        #expect(Self.released(&merger) == [])
        merger.add(Self.mark("2.500000000", shard: 1, of: 2), from: Self.p1)
        // Time 2.5: events before it are complete, ties by seq; the event at 2.5 waits.
        #expect(Self.released(&merger) == [1, 2])
        #expect(merger.waiting == 1 && !merger.ended)
        for partition in [Self.p0, Self.p1] {
            for shard in 0..<2 { merger.add(Self.mark("3.000000000", shard: shard, of: 2, final: true), from: partition) }
        }
        #expect(merger.ended)
        #expect(Self.released(&merger) == [3])
        #expect(merger.lateEvents == 0 && merger.unreadable == 0 && merger.watermarks == 8)
    }

    @Test func aPromiseBindsOnlyItsOwnShard() throws {
        // Two sessions of different shards (of 2).
        let candidates = (0..<64).map { String(format: "%016x", $0 * 7919 + 1) }
        let own = try #require(candidates.first { Self.shard(of: $0, 2) == 0 })
        let other = try #require(candidates.first { Self.shard(of: $0, 2) == 1 })
        var merger = WatermarkMerger(partitions: [Self.p0])
        merger.add(Self.mark("5.000000000", shard: 0, of: 2), from: Self.p0)
        merger.add(Self.event(1, "4.000000000", session: other), from: Self.p0)
        #expect(merger.lateEvents == 0, "shard 1 made no promise yet")
        merger.add(Self.event(2, "4.500000000", session: own), from: Self.p0)
        #expect(merger.lateEvents == 1, "shard 0 promised 5 s")
    }

    @Test func timeIsReadExactly() {
        var merger = WatermarkMerger(partitions: [Self.p0])
        merger.add(Self.event(1, "0.000000002"), from: Self.p0)
        merger.add(Self.event(2, "0.000000001"), from: Self.p0)
        merger.add(Self.mark("0.000000002", shard: 0, of: 1), from: Self.p0)
        #expect(Self.released(&merger) == [2])
        merger.add(Self.mark("0.000000002", shard: 0, of: 1, final: true), from: Self.p0)
        #expect(Self.released(&merger) == [1])
    }
}
