import WorkloadModel

/// What the generating loop has done so far: read by its observers, written
/// by the loop only (on its one thread).
package final class RunProgress {
    /// Events the sink took.
    package var published = 0
    /// The seq and virtual time of the last event published (or, after a
    /// skip on resume, the time the skip reached).
    package var lastSeq: UInt64?
    package var lastTime: VirtualNanoseconds = 0
    /// How events are held back until due: observers read it to turn a
    /// virtual time into the wall time it was due.
    package var pacer: Pacer

    init(pacer: Pacer) { self.pacer = pacer }
}

/// A concern that watches the generating loop without being part of it: the
/// watchdog and status line, the gauges, checkpoints, a benchmark's lateness
/// log. The loop generates, paces and publishes; it calls these at fixed
/// points, on its own thread, and none of them can hold it up (they only
/// read, count, or hand work to another thread).
package protocol RunObserver: AnyObject {
    /// Whether `published` is called at all: it runs once per event, so
    /// observers that do nothing there say so and cost nothing.
    var watchesEachEvent: Bool { get }

    /// An event went to the sink (`progress` already counts it). `lateness`:
    /// how late it was when its wait ended (nil unpaced, or while stopping).
    func published(_ event: Event, lateness: UInt64?, progress: RunProgress)

    /// While the loop waits for the next event to fall due (every tick,
    /// at most 20 ms apart).
    func idle(progress: RunProgress, now: UInt64)

    /// Every 256 events, at least every 100 ms of a paced run, and once at the end.
    func housekeeping(progress: RunProgress, source: any RunEventSource, now: UInt64)

    /// The loop ended without a sink failure; `source` is where it stopped.
    func ended(progress: RunProgress, source: any RunEventSource)
}

extension RunObserver {
    package var watchesEachEvent: Bool { false }
    package func published(_ event: Event, lateness: UInt64?, progress: RunProgress) {}
    package func idle(progress: RunProgress, now: UInt64) {}
    package func housekeeping(progress: RunProgress, source: any RunEventSource, now: UInt64) {}
    package func ended(progress: RunProgress, source: any RunEventSource) {}
}
