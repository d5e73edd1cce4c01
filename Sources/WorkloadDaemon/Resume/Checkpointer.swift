import Dispatch
import Logging
import Synchronization
import WorkloadKafka
import WorkloadModel

/// Writes a resumable run's checkpoints. About once a second (wall time) it
/// takes a snapshot: a copy of the engine value (cheap: its arrays are shared
/// until the engine next changes them) right after an event was published,
/// with the sink's count of records handed to Kafka per partition. The
/// snapshot stays pending until Kafka's delivery reports have acknowledged
/// that many records on every partition: a partition's reports come in
/// produce order, so then every record before the snapshot is in Kafka. Only
/// then is it encoded and written, on a writer thread of its own (encoding a
/// large engine state and the fsyncs take milliseconds). Nothing here waits
/// or flushes: the generating loop only compares counts (the delivery
/// reports are served on another thread) and hands the snapshot over, so
/// pacing is never held up by a checkpoint, and under sustained load the
/// queue need never empty for one to be written. While a write is under
/// way the next snapshot waits, so at most two engine copies are alive. A
/// restart therefore regenerates at most a few seconds of events, which
/// bounds resume time however long the run is.
///
/// Once any record has failed, no checkpoint is written again by this
/// process: a checkpoint after a lost record would hide the loss from the
/// next start, which finds it by reading back from the last good one.
package final class Checkpointer {
    struct Snapshot {
        var engine: WorkloadEngine
        var lastSeq: UInt64?
        var lastTime: VirtualNanoseconds
        var takenAt: UInt64
        /// Records handed to Kafka per partition when the copy was taken.
        var produced: [Int]
        /// Where a restart from this snapshot reads back from (see `EventSink.resumeOffsets`).
        var offsets: [String: [Int64]]
        /// `feedback`: the completions reader's state, taken with the engine copy.
        var feedback: CompletionFeedState?
    }

    let directory: StateDirectory
    let pacingAnchorUnixNanoseconds: Int64
    private let logger: Logger
    private let sink: any EventSink
    /// `feedback`: the completions reader's state now (read with each engine copy, on the same thread).
    var feedbackState: (() -> CompletionFeedState)?
    static let intervalNanoseconds: UInt64 = 1_000_000_000
    private var pending: Snapshot?
    /// When the last snapshot was taken; the first comes an interval after the first tick.
    private var lastTaken: UInt64?
    /// A record failed: no more checkpoints from this process.
    private var lost = false
    /// The snapshot of the run's end (a stop, a bound), written by `commit` after the final flush.
    private var held: Snapshot?
    /// Snapshots handed to the writer (periodic ones) or written (the last one).
    package private(set) var written = 0
    /// Encodes and writes off the generating thread, one checkpoint at a time, in order.
    private let writer = DispatchQueue(label: "llm-workload.checkpoint-writer")
    /// Time the generating thread spent in each of its checkpoint steps (logged at the end):
    /// taking a snapshot, comparing acknowledgements, handing a snapshot to the writer.
    package private(set) var snapshotTimes = StepTimes()
    package private(set) var acknowledgementTimes = StepTimes()
    package private(set) var handOffTimes = StepTimes()
    /// The writer's steps: encoding a checkpoint, writing it (with its fsyncs); shared with its closures.
    private final class WriterTimes: Sendable { let steps = Mutex((encode: StepTimes(), write: StepTimes())) }
    private let writerTimes = WriterTimes()
    /// Set while the writer has a checkpoint in hand (shared with its closures, hence a box).
    private final class Busy: Sendable { let flag = Atomic<Bool>(false) }
    private let writing = Busy()

    package init(directory: StateDirectory, pacingAnchorUnixNanoseconds: Int64, logger: Logger, sink: any EventSink) {
        self.directory = directory
        self.pacingAnchorUnixNanoseconds = pacingAnchorUnixNanoseconds
        self.logger = logger
        self.sink = sink
    }

    /// After a published event (from the loop's housekeeping): takes a snapshot when one is due, writes a pending one when acknowledged.
    func tick(engine: WorkloadEngine, lastSeq: UInt64?, lastTime: VirtualNanoseconds, now: UInt64) {
        if lastTaken == nil { lastTaken = now }
        if pending == nil && !lost, let last = lastTaken, now &- last >= Self.intervalNanoseconds {
            let start = SteadyClock.nanoseconds()
            pending = snapshot(engine: engine, lastSeq: lastSeq, lastTime: lastTime, now: now)
            lastTaken = now
            snapshotTimes.add(SteadyClock.nanoseconds() &- start)
        }
        poll()
    }

    /// Writes the pending snapshot once every record before it is acknowledged.
    func poll() {
        guard let snapshot = pending else { return }
        let start = SteadyClock.nanoseconds()
        let acknowledged = sink.acknowledgedRecords
        guard acknowledged.failed == 0 else {
            pending = nil  // a record failed: keep the older checkpoint
            lost = true
            return
        }
        let due = acknowledged.records.count == snapshot.produced.count
            && zip(acknowledged.records, snapshot.produced).allSatisfy({ $0 >= $1 })
            && !writing.flag.load(ordering: .acquiring)
        let compared = SteadyClock.nanoseconds()
        acknowledgementTimes.add(compared &- start)
        guard due else { return }
        pending = nil
        written += 1
        writing.flag.store(true, ordering: .releasing)
        let write = writeOperation(snapshot)
        writer.async { [writing] in
            write()
            writing.flag.store(false, ordering: .releasing)
        }
        handOffTimes.add(SteadyClock.nanoseconds() &- compared)
    }

    /// The run's last state (a resumable stop or the end), to write once the final flush delivered everything.
    func hold(engine: WorkloadEngine, lastSeq: UInt64?, lastTime: VirtualNanoseconds) {
        pending = nil
        held = snapshot(engine: engine, lastSeq: lastSeq, lastTime: lastTime, now: 0)
    }

    /// Writes the held snapshot (call only when the flush delivered every record), after any write under way.
    package func commit() {
        guard let held else { return }
        self.held = nil
        writer.sync(execute: writeOperation(held))
        written += 1
    }

    /// Returns once every checkpoint handed to the writer is on disk.
    package func waitForWrites() {
        writer.sync {}
    }

    /// Logs how long each checkpoint step took, on the generating thread and on the writer.
    func logStepTimes() {
        let writer = writerTimes.steps.withLock { $0 }
        logger.info("checkpoint steps", metadata: [
            "snapshot": "\(snapshotTimes)", "acknowledgement_check": "\(acknowledgementTimes)", "hand_off": "\(handOffTimes)",
            "writer_encode": "\(writer.encode)", "writer_write": "\(writer.write)",
        ])
    }

    private func snapshot(engine: WorkloadEngine, lastSeq: UInt64?, lastTime: VirtualNanoseconds, now: UInt64) -> Snapshot {
        Snapshot(engine: engine, lastSeq: lastSeq, lastTime: lastTime, takenAt: now, produced: sink.producedRecords,
                 offsets: sink.resumeOffsets(after: lastSeq), feedback: feedbackState?())
    }

    /// The encoding and atomic write of `snapshot`, to run on the writer.
    private func writeOperation(_ snapshot: Snapshot) -> @Sendable () -> Void {
        let directory = directory, logger = logger, anchor = pacingAnchorUnixNanoseconds, times = writerTimes
        let engine = snapshot.engine, lastSeq = snapshot.lastSeq, lastTime = snapshot.lastTime, offsets = snapshot.offsets
        let feedback = snapshot.feedback
        return {
            let start = SteadyClock.nanoseconds()
            let checkpoint = RunCheckpoint(
                lastSeq: lastSeq, lastTime: lastTime, pacingAnchorUnixNanoseconds: anchor, offsets: offsets, feedback: feedback,
                engine: engine.checkpoint())
            let bytes = checkpoint.bytes
            let encoded = SteadyClock.nanoseconds()
            defer {
                let end = SteadyClock.nanoseconds()
                times.steps.withLock { $0.encode.add(encoded &- start); $0.write.add(end &- encoded) }
            }
            do {
                try directory.write(StateDirectory.checkpointName, bytes: bytes)
            } catch {
                // The older checkpoint stays valid (a restart regenerates more and skips what Kafka holds).
                logger.error("cannot write the checkpoint", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// The loop's side of checkpoints: a snapshot considered at housekeeping,
/// acknowledgements looked at while idle, the last state held at the end.
/// A replay has no engine (`checkpointEngine` nil): nothing is checkpointed.
extension Checkpointer: RunObserver {
    package func idle(progress: RunProgress, now: UInt64) { poll() }

    package func housekeeping(progress: RunProgress, source: any RunEventSource, now: UInt64) {
        guard let engine = source.checkpointEngine else { return }
        tick(engine: engine, lastSeq: progress.lastSeq, lastTime: progress.lastTime, now: now)
    }

    package func ended(progress: RunProgress, source: any RunEventSource) {
        logStepTimes()
        guard let engine = source.checkpointEngine else { return }
        hold(engine: engine, lastSeq: progress.lastSeq, lastTime: progress.lastTime)
    }
}
