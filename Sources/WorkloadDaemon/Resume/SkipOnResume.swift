import WorkloadModel

/// `clock.on_resume: skip`: after a restart, the events that fell due while
/// the daemon was down are not published, but only those after the last
/// event Kafka holds: what the stopped process published after its
/// checkpoint (and what it had queued for the partitions before that, lost
/// with it) goes out first; at the first event after it, the marker names
/// the interval (`EventEncoder.encodeSkipped`) and the skip begins. A value: the loop asks it
/// per event and sends the marker when told.
struct SkipOnResume {
    /// The time due at the restart, and the last seq Kafka holds (the skip begins after it).
    private var pending: (to: VirtualNanoseconds, afterSeq: UInt64?)?
    /// Events before this time are not published.
    private(set) var until = VirtualNanoseconds.min

    init() {}

    /// A skip to `due` (the time due at the restart) after the event `held`, the last Kafka holds.
    init(to due: VirtualNanoseconds, afterSeq held: UInt64?) {
        pending = (due, held)
    }

    /// Before `event` is published: the time to skip to when the skip begins
    /// at it (the loop then sends the marker and calls `began`), else nil.
    mutating func begins(at event: Event) -> VirtualNanoseconds? {
        guard let skip = pending, skip.afterSeq.map({ event.seq > $0 }) ?? true else { return nil }
        pending = nil
        return skip.to
    }

    /// The marker went out: events before `due` are skipped (`.min`: none).
    mutating func began(until due: VirtualNanoseconds) { until = due }

    /// Whether `event` fell due while down and is not published.
    func skips(_ event: Event) -> Bool { event.time < until }
}
