import Testing
@testable import WorkloadDaemon
import WorkloadModel

/// The marker as it was encoded before the event encoder wrote it (kept verbatim as the reference).
private enum LegacySkipMarker {
    static func encode(runID: String, startUnixNanoseconds: Int64, from: VirtualNanoseconds, to: VirtualNanoseconds, afterSeq: UInt64?, topic: String, partition: Int32,
                       shard: Shard) -> [UInt8] {
        var writer = ByteWriter(capacity: 256 + topic.utf8.count * 6)
        writer.append("{\"type\":\"skipped\",\"schema_version\":")
        writer.append(EventEncoder.schemaVersion)
        writer.append(",\"run_id\":")
        writer.append(jsonString: runID)
        if let afterSeq {
            writer.append(",\"after_seq\":")
            writer.append(unsigned: afterSeq)
        }
        writer.append(",\"from_time_s\":")
        writer.append(seconds: from)
        writer.append(",\"to_time_s\":")
        writer.append(seconds: to)
        writer.append(",\"time_s\":")
        writer.append(seconds: to)
        writer.append(",\"time\":\"")
        writer.append(rfc3339: startUnixNanoseconds &+ to)
        writer.append("\",\"topic\":")
        writer.append(jsonString: topic)
        writer.append(",\"partition\":")
        writer.append(Int64(partition))
        writer.append(",\"shard\":")
        writer.append(Int64(shard.index))
        writer.append(",\"shards\":")
        writer.append(Int64(shard.count))
        writer.append("}")
        return writer.bytes
    }
}

/// The skipped-interval marker keeps its bytes now that the event encoder writes it.
@Suite struct SkipMarkerEncodingTests {
    @Test func encoderWritesTheMarkerByteForByte() {
        let cases: [(runID: String, start: Int64, from: VirtualNanoseconds, to: VirtualNanoseconds, afterSeq: UInt64?, topic: String, partition: Int32, shard: Shard)] = [
            ("0123456789abcdef", 1_767_225_600_123_456_789, 1_500_000_000, 3_000_000_001, 41, "llm.requests", 2, Shard(index: 0, count: 1)),
            ("given \"id\"", 0, 0, 86_400_000_000_000, nil, "sess\u{e9}ions", 0, Shard(index: 2, count: 3)),
            ("r", 1_000_000_000, 0, 7, UInt64.max, "t", Int32.max, Shard(index: 0, count: 2)),
        ]
        for c in cases {
            let encoder = EventEncoder(runID: c.runID, seed: 1, startUnixNanoseconds: c.start, profileNames: ["chat"])
            var writer = ByteWriter(capacity: 64)
            encoder.encodeSkipped(from: c.from, to: c.to, afterSeq: c.afterSeq, topic: c.topic, partition: c.partition,
                                  shard: c.shard.index, shards: c.shard.count, into: &writer)
            #expect(writer.bytes.last == 0x0A)
            writer.removeLast()
            let legacy = LegacySkipMarker.encode(runID: c.runID, startUnixNanoseconds: c.start, from: c.from, to: c.to, afterSeq: c.afterSeq,
                                                 topic: c.topic, partition: c.partition, shard: c.shard)
            #expect(writer.bytes == legacy, "\(String(decoding: writer.bytes, as: UTF8.self)) vs \(String(decoding: legacy, as: UTF8.self))")
        }
    }
}
