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
/// large engine state and the fsyncs take milliseconds). The writer encodes
/// into one buffer it keeps from checkpoint to checkpoint and writes from it,
/// so it allocates and frees no megabytes per checkpoint; and it hands each
/// engine copy back for the generating thread to release: the copy's arrays
/// were allocated on that thread, and glibc frees a chunk under its arena's
/// lock (trimming the heap under it), so a writer preempted while freeing
/// them held up the loop's next allocation (seen with `perf sched`: the
/// loop waiting on that lock until the writer released it). Nothing here waits
/// or flushes: the generating loop only compares counts (the delivery
/// reports are served on another thread) and hands the snapshot over, so
/// pacing is never held up by a checkpoint, and under sustained load the
/// queue need never empty for one to be written. While a write is under
/// way the next snapshot waits, so at most two engine copies are alive. A
/// restart therefore regenerates at most a few seconds of events, which
/// bounds resume time however long the run is. The writer keeps the ordinary
/// priority: tried under `SCHED_IDLE` on a loaded machine, the loop stalled for
/// up to 5 s (an idle-priority thread holding what the loop waits for, or
/// Dispatch threads started meanwhile inheriting the policy).
///
/// Once any record has failed, no checkpoint is written again by this
/// process: a checkpoint after a lost record would hide the loss from the
/// next start, which finds it by reading back from the last good one.
package final class Checkpointer {
    struct Snapshot: Sendable {
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
    /// Where the run's pacing anchored virtual time 0 (set again by the loop when pacing begins).
    var pacingAnchorUnixNanoseconds: Int64
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
    /// What the writer thread uses, shared with its closures: the snapshot handed to it, its buffer
    /// (kept between checkpoints), the engine copy it is done with, and its steps' times (encoding
    /// a checkpoint, writing it with its fsyncs, its CPU time for both) and largest checkpoint.
    /// Only the writer takes `job` and `buffer`.
    private final class Writer: Sendable {
        let job = Mutex<Snapshot?>(nil)
        let buffer = Mutex(CheckpointWriter())
        let spent = Mutex<Snapshot?>(nil)
        let steps = Mutex((encode: StepTimes(), write: StepTimes(), cpu: StepTimes(), bytes: 0))
    }
    private let writerState = Writer()
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
        releaseSpent()
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
        writerState.job.withLock { $0 = snapshot }
        let write = writeOperation()
        writer.async { [writing] in
            write()
            writing.flag.store(false, ordering: .releasing)
        }
        handOffTimes.add(SteadyClock.nanoseconds() &- compared)
    }

    /// Drops the engine copy the writer is done with, here on the generating thread that allocated its arrays.
    /// Never waits: while the writer holds the slot, the next poll takes the copy instead.
    private func releaseSpent() {
        _ = writerState.spent.withLockIfAvailable { spent in spent.take() }
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
        writer.sync {}  // after any write under way, which may still hold `job`
        writerState.job.withLock { $0 = held }
        writer.sync(execute: writeOperation())
        releaseSpent()
        written += 1
    }

    /// Returns once every checkpoint handed to the writer is on disk.
    package func waitForWrites() {
        writer.sync {}
    }

    /// Logs how long each checkpoint step took, on the generating thread and on the writer.
    func logStepTimes() {
        let writer = writerState.steps.withLock { $0 }
        logger.info("checkpoint steps", metadata: [
            "snapshot": "\(snapshotTimes)", "acknowledgement_check": "\(acknowledgementTimes)", "hand_off": "\(handOffTimes)",
            "writer_encode": "\(writer.encode)", "writer_write": "\(writer.write)", "writer_cpu": "\(writer.cpu)", "max_bytes": "\(writer.bytes)",
        ])
    }

    private func snapshot(engine: WorkloadEngine, lastSeq: UInt64?, lastTime: VirtualNanoseconds, now: UInt64) -> Snapshot {
        Snapshot(engine: engine, lastSeq: lastSeq, lastTime: lastTime, takenAt: now, produced: sink.producedRecords,
                 offsets: sink.resumeOffsets(after: lastSeq), feedback: feedbackState?())
    }

    /// The encoding and atomic write of the snapshot handed over in `job`, to run on the writer.
    private func writeOperation() -> @Sendable () -> Void {
        let directory = directory, logger = logger, anchor = pacingAnchorUnixNanoseconds, state = writerState
        return {
            var done = state.job.withLock { job in job.take() }
            if let snapshot = done {
                state.buffer.withLock { out in
                    Self.write(snapshot, anchor: anchor, into: &out, directory: directory, logger: logger, times: state)
                }
            }
            // Moved, not copied: the writer keeps no reference, so the generating thread's release is the last.
            state.spent.withLock { $0 = done.take() }
        }
    }

    /// Encodes `snapshot` into `out` (emptied, its memory kept; the engine encoded straight into it) and writes it.
    private static func write(_ snapshot: Snapshot, anchor: Int64, into out: inout CheckpointWriter, directory: StateDirectory,
                              logger: Logger, times: Writer) {
        let start = SteadyClock.nanoseconds()
        let cpuStart = SteadyClock.threadCPUNanoseconds()
        out.removeAll()
        RunCheckpoint.encode(lastSeq: snapshot.lastSeq, lastTime: snapshot.lastTime, pacingAnchorUnixNanoseconds: anchor,
                             offsets: snapshot.offsets, feedback: snapshot.feedback, into: &out) { snapshot.engine.checkpoint(into: &$0) }
        let encoded = SteadyClock.nanoseconds()
        do {
            try directory.write(StateDirectory.checkpointName, bytes: out.bytes)
        } catch {
            // The older checkpoint stays valid (a restart regenerates more and skips what Kafka holds).
            logger.error("cannot write the checkpoint", metadata: ["error": "\(error)"])
        }
        let end = SteadyClock.nanoseconds()
        let cpu = SteadyClock.threadCPUNanoseconds() &- cpuStart
        times.steps.withLock { $0.encode.add(encoded &- start); $0.write.add(end &- encoded); $0.cpu.add(cpu); $0.bytes = max($0.bytes, out.bytes.count) }
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
