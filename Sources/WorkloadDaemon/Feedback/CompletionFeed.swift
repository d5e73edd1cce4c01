import Logging
import WorkloadKafka
import WorkloadModel

/// Why a completions record was not handed to the engine (or was, and the engine ignored it).
package enum FeedbackIgnoreReason: String, Sendable, CaseIterable {
    /// Not a JSON object with the fields of a completion or a watermark.
    case malformed
    /// A completion of another run.
    case otherRun = "other_run"
    /// Its time is below its partition's watermark: a broken promise.
    case behindWatermark = "behind_watermark"
    /// A watermark below an earlier one of the same producer.
    case watermarkBackwards = "watermark_backwards"
    case unknownRequest = "unknown_request"
    case duplicate
    case beforeArrival = "before_arrival"
    case afterTimeout = "after_timeout"
}

/// The generator's reader of the completions topic (`feedback.topic`): every
/// partition, from where the run left it (or the end, on a first start). It
/// parses each record, tracks the watermarks of the service's producers (the
/// topic's frontier is the least over its partitions), and hands each
/// completion of this run to the engine. Bad records are counted by reason
/// and logged at most once a second; they never stop the run.
final class CompletionFeed {
    private let consumer: KafkaConsumer
    let topic: String
    private let runID: [UInt8]
    private let logger: Logger
    /// Per partition, per producer (`shard`): the latest watermark (`.max` once final).
    private var promises: [[Int32: VirtualNanoseconds]]
    private var producers: [Int]
    /// The next offset to read per partition (for checkpoints).
    private(set) var positions: [Int64]
    /// Each partition's end when the reader was opened.
    private let ends: [Int64]
    private(set) var ignored: [FeedbackIgnoreReason: Int] = [:]
    private(set) var consumed = 0
    /// `--shard k/n`: every shard's engine is the whole simulation, so it takes every
    /// session's completions; those of sessions other shards publish are counted apart
    /// (a subagent's call by its tree's root, whose key its records carry).
    var shard: Shard?
    private(set) var forOtherShards = 0
    private var lastLog: UInt64 = 0

    /// `resuming`: where a restart reads on and the watermarks read so far
    /// (from the checkpoint, or the positions alone from the run's first
    /// start); nil on a first start.
    init(brokers: String, topic: String, runID: String, properties: [String: String], resuming saved: CompletionFeedState?, logger: Logger) throws {
        var settings = properties.filter { !$0.key.hasPrefix("linger") && !$0.key.hasPrefix("queue.buffering") && !$0.key.hasPrefix("batch") }
        settings["fetch.wait.max.ms"] = settings["fetch.wait.max.ms"] ?? "1"
        consumer = try KafkaConsumer(bootstrapServers: brokers, properties: settings, logger: logger)
        let count = Int(try consumer.partitionCount(topic: topic, timeoutMs: 10_000))
        var starts: [Int64] = []
        var ends: [Int64] = []
        for partition in 0..<count {
            let range = try consumer.offsetRange(topic: topic, partition: Int32(partition), timeoutMs: 10_000)
            ends.append(range.upperBound)
            if let saved, partition < saved.positions.count, saved.positions[partition] >= 0 {
                starts.append(saved.positions[partition])
            } else {
                // A first start: only what comes from now on (an earlier run's completions are not this run's).
                // A partition added since the run began holds only what came after: all of it.
                starts.append(saved == nil ? range.upperBound : range.lowerBound)
            }
        }
        try consumer.assign(offsets: starts.enumerated().map { (topic, Int32($0.offset), $0.element) })
        self.topic = topic
        self.runID = Array(runID.utf8)
        self.logger = logger
        positions = starts
        self.ends = ends
        promises = (0..<count).map { saved?.watermarks.indices.contains($0) == true ? saved!.watermarks[$0] : [:] }
        producers = (0..<count).map { saved?.producers.indices.contains($0) == true ? saved!.producers[$0] : 0 }
    }

    /// What a checkpoint keeps of this reader (see `CompletionFeedState`).
    var state: CompletionFeedState {
        CompletionFeedState(positions: positions, watermarks: promises, producers: producers)
    }

    /// The least watermark over every partition: every completion with an earlier time has been read.
    var frontier: VirtualNanoseconds {
        var least = VirtualNanoseconds.max
        for partition in promises.indices {
            guard producers[partition] > 0 else { return .min }
            least = min(least, promise(partition))
        }
        return least
    }

    /// The least watermark of `partition`'s producers: .min until each of them has sent one.
    private func promise(_ partition: Int) -> VirtualNanoseconds {
        let latest = promises[partition]
        guard producers[partition] > 0, latest.count >= producers[partition] else { return .min }
        return latest.values.min() ?? .min
    }

    /// Reads what has come (waiting up to `timeoutMs` for the first record)
    /// and hands each completion to `taker`; returns the records read.
    @discardableResult
    func pump(timeoutMs: Int32, into taker: any CompletionTaker) -> Int {
        var read = 0
        do {
            while read < 10_000, let record = try consumer.poll(timeoutMs: read == 0 ? timeoutMs : 0) {
                read += 1
                if Int(record.partition) < positions.count { positions[Int(record.partition)] = record.offset + 1 }
                take(record.value, partition: Int(record.partition), into: taker)
            }
        } catch {
            logger.warning("completions consumer error; still reading", metadata: ["error": "\(error)"])
        }
        return read
    }

    private func take(_ value: [UInt8], partition: Int, into taker: any CompletionTaker) {
        guard partition < promises.count else { return }
        let fields = EventFields(value)
        if fields.isWatermark {
            takeWatermark(fields, partition: partition)
            return
        }
        guard let completion = ParsedCompletion(fields) else { return ignore(.malformed, value) }
        guard fields.string("run_id") == runID else { return ignore(.otherRun, value) }
        if completion.time < promise(partition) { return ignore(.behindWatermark, value) }
        consumed += 1
        switch taker.deliver(completion) {
        case .accepted:
            if let shard {
                let keying = taker.keyingSessionID(of: completion) ?? completion.session
                if !withSessionKey(keying, { shard.owns(sessionKey: $0) }) { forOtherShards += 1 }
            }
        case .unknownRequest: ignore(.unknownRequest, value)
        case .duplicate: ignore(.duplicate, value)
        case .beforeArrival: ignore(.beforeArrival, value)
        case .afterTimeout: ignore(.afterTimeout, value)
        }
    }

    private func takeWatermark(_ fields: EventFields, partition: Int) {
        guard let time = fields.nanoseconds("time_s"), let shard = fields.integer("shard"), let shards = fields.integer("shards"),
              shards >= 1, shard >= 0, shard < shards, shards <= 1024 else { return ignore(.malformed, fields.bytes) }
        producers[partition] = max(producers[partition], Int(shards))
        let previous = promises[partition][Int32(shard)] ?? .min
        if fields.flag("final") {
            promises[partition][Int32(shard)] = .max
        } else if time < previous {
            ignore(.watermarkBackwards, fields.bytes)
        } else {
            promises[partition][Int32(shard)] = time
        }
    }

    private func ignore(_ reason: FeedbackIgnoreReason, _ value: [UInt8]) {
        ignored[reason, default: 0] += 1
        let now = SteadyClock.nanoseconds()
        guard now &- lastLog >= 1_000_000_000 else { return }
        lastLog = now
        logger.warning("completions record ignored", metadata: [
            "reason": "\(reason.rawValue)", "record": "\(String(decoding: value.prefix(300), as: UTF8.self))",
        ])
    }
}

extension CompletionFeed: CompletionSupply {
    /// Whether every record the topic held when the reader was opened has been read.
    var caughtUp: Bool { positions.indices.allSatisfy { positions[$0] >= ends[$0] } }

    /// Reads on towards the ends the topic had when the reader was opened
    /// (waiting at most 10 s for the next record), hands each completion to
    /// `taker` and raises its frontier to the watermarks read: what the run
    /// had published when it stopped (the resume's gap check).
    func supply(_ taker: any CompletionTaker) -> Bool {
        let deadline = SteadyClock.nanoseconds() &+ 10_000_000_000
        var read = 0
        while read == 0, !caughtUp, SteadyClock.nanoseconds() < deadline { read = pump(timeoutMs: 100, into: taker) }
        taker.advanceCompletionsFrontier(to: frontier)
        return read > 0
    }
}

/// What a checkpoint keeps of the completions reader, taken with the engine's
/// copy (both on the generating thread, with no read in between): per
/// partition the next offset to read, the latest watermark of each of the
/// service's producers, and how many producers the partition has. Every
/// record the engine copy has not seen lies at or above the positions, so a
/// restart that reads on from there, with these watermarks, sees exactly
/// what the process before saw after the copy, in the same order per partition.
package struct CompletionFeedState: Sendable, Equatable {
    package var positions: [Int64]
    package var watermarks: [[Int32: VirtualNanoseconds]]
    package var producers: [Int]

    package init(positions: [Int64], watermarks: [[Int32: VirtualNanoseconds]] = [], producers: [Int] = []) {
        self.positions = positions
        self.watermarks = watermarks
        self.producers = producers
    }
}

/// A `completion` record's fields the engine needs.
package struct ParsedCompletion {
    package var session: UInt64
    package var turn: Int32
    package var time: VirtualNanoseconds
    package var outputTokens: Int64
    package var status: CompletionStatus

    package init(session: UInt64, turn: Int32, time: VirtualNanoseconds, outputTokens: Int64, status: CompletionStatus = .ok) {
        self.session = session
        self.turn = turn
        self.time = time
        self.outputTokens = outputTokens
        self.status = status
    }

    init?(_ fields: EventFields) {
        guard fields.string("type") == Array("completion".utf8), let id = fields.string("request_id"),
              let dash = id.lastIndex(of: UInt8(ascii: "-")),
              let session = UInt64(String(decoding: id[..<dash], as: UTF8.self), radix: 16),
              let turn = Int32(String(decoding: id[(dash + 1)...], as: UTF8.self)),
              let time = fields.nanoseconds("time_s"), let output = fields.integer("output_tokens"), output >= 0 else { return nil }
        if let name = fields.string("status") {
            guard let status = CompletionStatus(name: name) else { return nil }
            self.status = status
        } else {
            status = .ok  // absent: ok
        }
        self.session = session
        self.turn = turn
        self.time = time
        outputTokens = output
    }
}
