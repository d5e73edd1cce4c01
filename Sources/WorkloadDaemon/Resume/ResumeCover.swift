import Logging
import WorkloadKafka
import WorkloadModel

/// What Kafka already holds of this run and shard, per partition, after a
/// restart (issue 11): regenerated events it covers are not published again,
/// and no watermark goes out below one this shard already wrote there.
///
/// The idempotent producer keeps each partition's records in produce order
/// with no gap, so what a partition holds of the events after the checkpoint
/// is a prefix of them. Its last record from this shard says how far: a data
/// record covers every event of the partition up to its `seq`; a watermark
/// covers every event up to its `after_seq` (each was produced before it).
struct ResumeCover: Sendable, Equatable {
    /// Index 0: the requests topic, 1: the sessions topic; per partition.
    var covered: [[UInt64?]]
    var floors: [[VirtualNanoseconds?]]
    /// Events whose seq is above this are never covered (the fast path).
    var highest: UInt64?
    /// Records of this run and shard read back.
    var recordsRead = 0

    init(partitions: [Int32]) {
        covered = partitions.map { [UInt64?](repeating: nil, count: Int($0)) }
        floors = partitions.map { [VirtualNanoseconds?](repeating: nil, count: Int($0)) }
    }

    /// Takes `record`, a record of this run and shard (offset order per partition).
    mutating func take(topicIndex: Int, partition: Int32, value: [UInt8], isWatermark: Bool) {
        guard covered.indices.contains(topicIndex), covered[topicIndex].indices.contains(Int(partition)) else { return }
        recordsRead += 1
        let fields = EventFields(value)
        let p = Int(partition)
        if isWatermark {
            covered[topicIndex][p] = fields.integer("after_seq").map { UInt64($0) }
            if let time = fields.nanoseconds("time_s") { floors[topicIndex][p] = max(floors[topicIndex][p] ?? time, time) }
        } else if let seq = fields.integer("seq") {
            covered[topicIndex][p] = UInt64(seq)
        }
        highest = covered.joined().compactMap { $0 }.max()
    }

    /// True when Kafka already holds the event of `seq` on this partition.
    @inline(__always)
    func covers(topicIndex: Int, partition: Int32, seq: UInt64) -> Bool {
        guard let highest, seq <= highest, let covered = covered[topicIndex][Int(partition)] else { return false }
        return seq <= covered
    }

    /// The latest watermark time this shard wrote on the partition, if any.
    func floor(topicIndex: Int, partition: Int32) -> VirtualNanoseconds? {
        floors[topicIndex][Int(partition)]
    }

    /// Reads the tails of both topics: per partition from just above the
    /// checkpoint's offset (`from`: every record after the checkpoint lies
    /// there, however much other runs wrote since), and at least the last
    /// `ExistingRun.tailRecords`.
    static func read(
        runID: String, shard: Shard?, brokers: String, topics: KafkaTopics, partitions: [Int32],
        properties: [String: String], from offsets: [String: [Int64]] = [:], logger: Logger
    ) throws(KafkaError) -> ResumeCover {
        var cover = ResumeCover(partitions: partitions)
        let names = [topics.requests, topics.sessions]
        try ExistingRun.scanTails(runID: runID, shard: shard, brokers: brokers, topics: names, properties: properties,
                                  from: offsets, logger: logger) { record in
            guard let index = names.firstIndex(of: record.topic) else { return true }
            cover.take(topicIndex: index, partition: record.partition, value: record.value,
                       isWatermark: record.header("event-type") == Array("watermark".utf8))
            return true
        }
        return cover
    }
}
