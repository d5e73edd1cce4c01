import WorkloadModel

/// The `skipped` marker of `clock.on_resume: skip`: one record per
/// partition of both topics, keyed `skipped`, saying that no event of this
/// producer after `after_seq` with `time_s` < `to_time_s` is published (they
/// fell due while the daemon was down; `from_time_s` is the time of the last
/// event published before the stop). Like a watermark it carries no `seq` of its own (the data
/// events' seqs of the interval are simply absent) and is not a data event.
enum SkipMarker {
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
