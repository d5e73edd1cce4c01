/// How long one step of a loop took, each time it ran: how often, in total,
/// the worst, and how often it passed 1 ms. Kept so that what holds up the
/// pacing thread now and then can be named from the run's own log.
package struct StepTimes: Sendable, CustomStringConvertible {
    package private(set) var count = 0
    package private(set) var totalNanoseconds: UInt64 = 0
    package private(set) var worstNanoseconds: UInt64 = 0
    /// Runs that took longer than 1 ms.
    package private(set) var overMillisecond = 0

    package init() {}

    @inline(__always)
    package mutating func add(_ nanoseconds: UInt64) {
        count += 1
        totalNanoseconds &+= nanoseconds
        if nanoseconds > worstNanoseconds { worstNanoseconds = nanoseconds }
        if nanoseconds > 1_000_000 { overMillisecond += 1 }
    }

    package var description: String {
        let mean = count == 0 ? 0 : Double(totalNanoseconds) / Double(count) / 1e6
        let worst = Double(worstNanoseconds) / 1e6
        return "n=\(count) mean=\(formatted(mean))ms worst=\(formatted(worst))ms over_1ms=\(overMillisecond)"
    }

    private func formatted(_ milliseconds: Double) -> String {
        let thousandths = Int((milliseconds * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}

/// The paced loop's steps, timed from one to the next on the wall clock:
/// taking the next event from the source (the model, and any copy its
/// arrays need after a checkpoint snapshot shared them), publishing it
/// (encoding and the sink), and what follows (observers, watermarks,
/// housekeeping with its checkpoint steps). Not kept at `max` speed, where
/// nothing is due and the clock reads would only cost.
struct LoopSteps {
    private(set) var next = StepTimes()
    private(set) var publish = StepTimes()
    private(set) var after = StepTimes()
    private var last: UInt64

    init(now: UInt64) { last = now }

    /// Where a step begins without the one before being timed (after the wait until an event is due).
    @inline(__always)
    mutating func restart(at now: UInt64) { last = now }

    @inline(__always)
    mutating func nextTaken(at now: UInt64) { next.add(now &- last); last = now }

    @inline(__always)
    mutating func published(at now: UInt64) { publish.add(now &- last); last = now }

    @inline(__always)
    mutating func afterDone(at now: UInt64) { after.add(now &- last); last = now }
}
