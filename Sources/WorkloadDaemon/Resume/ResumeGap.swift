import WorkloadKafka
import WorkloadModel

/// Events a restart finds missing for good: a delivery failed permanently
/// (e.g. MESSAGE_TOO_LARGE) before the stop, and librdkafka went on with the
/// later records of the partition. The event cannot be put back in its place
/// (its partition's later records and watermarks are already there), so the
/// run cannot be completed exactly once: the start refuses to continue, and
/// names the seqs, rather than ever report a run with a hole as done.
enum ResumeGap {
    /// The seqs of this shard's events after the checkpoint (`engine`) that Kafka lacks although
    /// later records of their partitions are there. Regenerates up to the highest seq Kafka holds.
    /// With `feedback` the copy waits for completions as the run did: `completions` hands it
    /// those the completions topic holds, so that it gets past each wait (nil: it stops at the first).
    static func lost(continuing engine: WorkloadEngine, cover: ResumeCover, shard: Shard?, partitions: [Int32],
                     completions: (any CompletionSupply)? = nil) -> [UInt64] {
        guard let highest = cover.highest else { return [] }
        let source = GeneratedEvents(engine: engine)
        var lost: [UInt64] = []
        while true {
            guard let event = source.next() else {
                guard source.isStalled, let completions, completions.supply(source) else { break }
                continue
            }
            guard event.seq <= highest else { break }
            let topicIndex: Int
            switch event {
            case .request: topicIndex = 0
            default: topicIndex = 1
            }
            let partition: Int32? = withSessionKey(event.sessionID) { key in
                if let shard, !shard.owns(sessionKey: key) { return nil }
                return Murmur2.partition(forKey: key, partitionCount: partitions[topicIndex])
            }
            guard let partition else { continue }
            if cover.holding(topicIndex: topicIndex, partition: partition, seq: event.seq, time: event.time) == .lost {
                lost.append(event.seq)
            }
        }
        return lost
    }

    /// The refusal (exit 69), naming the missing seqs (the first 100).
    static func refusal(runID: String, stateDirectory: String, lost: [UInt64]) -> String {
        let named = lost.prefix(100).map(String.init).joined(separator: ", ") + (lost.count > 100 ? " and \(lost.count - 100) more" : "")
        return "run \(runID) cannot continue exactly once: Kafka lacks \(lost.count) of its events (seq \(named)) "
            + "although later records of their partitions are there, so a delivery failed for good before the last stop. "
            + "They cannot be published in their place now, and the run is not reported complete. "
            + "Start a new run (--new-run, or clear the state directory \(stateDirectory)). Exit status 69."
    }
}

/// Completions for an engine copy that waits for them (`feedback`), a batch at a time.
protocol CompletionSupply {
    /// Hands `taker` more completions and raises its completions frontier;
    /// false once there is nothing more to hand over.
    func supply(_ taker: any CompletionTaker) -> Bool
}
