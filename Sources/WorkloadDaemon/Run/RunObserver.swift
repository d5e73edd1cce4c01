import WorkloadModel

/// What the generating loop has done so far: read by its observers, written
/// by the loop only (on its one thread).
package final class RunProgress {
    // The loop writes the next three for every event and nothing else writes them; each write
    // is a single store with no access in progress around it, so the dynamic exclusivity check
    // a class property otherwise gets per access is left out.
    /// Events the sink took.
    @exclusivity(unchecked) package var published = 0
    /// The seq and virtual time of the last event published (or, after a
    /// skip on resume, the time the skip reached).
    @exclusivity(unchecked) package var lastSeq: UInt64?
    @exclusivity(unchecked) package var lastTime: VirtualNanoseconds = 0
    /// How events are held back until due: observers read it to turn a
    /// virtual time into the wall time it was due.
    package var pacer: Pacer
    /// The events published, by type and profile.
    package let tally: EventTally

    init(pacer: Pacer, profiles: Int) {
        self.pacer = pacer
        tally = EventTally(profiles: profiles)
    }
}

/// Events published by type (request, session started, session ended,
/// completion) and profile: the loop counts each with a plain increment, and
/// the gauges add what is new to the metrics' counters at housekeeping.
package final class EventTally {
    /// Profiles counted apart (a profile index is taken modulo this).
    package let profiles: Int
    /// `[type * profiles + profile]`, in memory of its own so that a count is one increment.
    private let counts: UnsafeMutableBufferPointer<UInt64>

    init(profiles: Int) {
        self.profiles = max(1, profiles)
        counts = .allocate(capacity: 4 * self.profiles)
        counts.initialize(repeating: 0)
    }

    deinit { counts.deallocate() }

    /// Slots: 4 types times `profiles`.
    package var count: Int { counts.count }

    package subscript(slot: Int) -> UInt64 { counts[slot] }

    /// The slot that counts `event`. Static, and taken before the tally is touched: a count then
    /// reads no event field while holding the tally, which would cost a retain around the read.
    @inline(__always)
    static func slot(of event: Event, profiles: Int) -> Int {
        let type: Int
        switch event {
        case .request: type = 0
        case .sessionStarted: type = 1
        case .sessionEnded: type = 2
        case .completion: type = 3
        }
        return type * profiles + Int(event.profile) % profiles
    }

    @inline(__always)
    func count(_ slot: Int) {
        counts[slot] &+= 1
    }
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
