import Logging
import WorkloadModel

/// Writes a resumable run's checkpoints (issue 11). About once a second
/// (wall time) it takes a snapshot: a copy of the engine value (cheap: its
/// arrays are shared until the engine next changes them) right after an
/// event was published. The snapshot stays pending until every record
/// produced before it is acknowledged: the producer's queue has been empty
/// once since (within linger and a round trip when paced); at `max` speed,
/// where it may never empty, a flush after 2 s forces that. Only then is it
/// encoded and written. A restart therefore regenerates at most a few
/// seconds of events, which bounds resume time however long the run is.
final class Checkpointer {
    struct Snapshot {
        var engine: WorkloadEngine
        var lastSeq: UInt64?
        var lastTime: VirtualNanoseconds
        var takenAt: UInt64
        /// The producer's highest acknowledged offsets when the copy was taken.
        var offsets: [String: [Int64]]
    }

    let directory: StateDirectory
    let pacingAnchorUnixNanoseconds: Int64
    private let logger: Logger
    /// Flushes the sink (true when everything was delivered).
    private let flush: () -> Bool
    /// The producer's highest acknowledged offset per topic and partition.
    private let offsets: () -> [String: [Int64]]
    static let intervalNanoseconds: UInt64 = 1_000_000_000
    static let forceAfterNanoseconds: UInt64 = 2_000_000_000
    private var pending: Snapshot?
    private var lastTaken: UInt64 = 0
    /// The snapshot of the run's end (a stop, a bound), written by `commit` after the final flush.
    private var held: Snapshot?
    private(set) var written = 0
    private var failedBefore = 0

    init(directory: StateDirectory, pacingAnchorUnixNanoseconds: Int64, logger: Logger, flush: @escaping () -> Bool,
         offsets: @escaping () -> [String: [Int64]] = { [:] }) {
        self.directory = directory
        self.pacingAnchorUnixNanoseconds = pacingAnchorUnixNanoseconds
        self.logger = logger
        self.flush = flush
        self.offsets = offsets
    }

    /// After a published event (from the loop's housekeeping): takes a snapshot when one is due, writes a pending one when acknowledged.
    func tick(engine: WorkloadEngine, lastSeq: UInt64?, lastTime: VirtualNanoseconds, now: UInt64, outstanding: Int, failed: Int) {
        if pending == nil && now &- lastTaken >= Self.intervalNanoseconds {
            pending = Snapshot(engine: engine, lastSeq: lastSeq, lastTime: lastTime, takenAt: now, offsets: offsets())
            lastTaken = now
            failedBefore = failed
        }
        poll(now: now, outstanding: outstanding, failed: failed)
    }

    /// Writes the pending snapshot once every record before it is acknowledged.
    func poll(now: UInt64, outstanding: Int, failed: Int) {
        guard let snapshot = pending else { return }
        guard failed == failedBefore else {
            pending = nil  // a record failed: the run is failing; keep the older checkpoint
            return
        }
        if outstanding == 0 || (now &- snapshot.takenAt >= Self.forceAfterNanoseconds && flush()) {
            pending = nil
            write(snapshot)
        }
    }

    /// The run's last state (a resumable stop or the end), to write once the final flush delivered everything.
    func hold(engine: WorkloadEngine, lastSeq: UInt64?, lastTime: VirtualNanoseconds) {
        pending = nil
        held = Snapshot(engine: engine, lastSeq: lastSeq, lastTime: lastTime, takenAt: 0, offsets: offsets())
    }

    /// Writes the held snapshot (call only when the flush delivered every record).
    func commit() {
        guard let held else { return }
        self.held = nil
        write(held)
    }

    private func write(_ snapshot: Snapshot) {
        let checkpoint = RunCheckpoint(
            lastSeq: snapshot.lastSeq, lastTime: snapshot.lastTime,
            pacingAnchorUnixNanoseconds: pacingAnchorUnixNanoseconds, offsets: snapshot.offsets, engine: snapshot.engine.checkpoint())
        do {
            try directory.write(StateDirectory.checkpointName, bytes: checkpoint.bytes)
            written += 1
        } catch {
            // The older checkpoint stays valid (a restart regenerates more and skips what Kafka holds).
            logger.error("cannot write the checkpoint", metadata: ["error": "\(error)"])
        }
    }
}
