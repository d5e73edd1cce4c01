import WorkloadModel

/// When the loop sends a watermark round. Every `interval` of virtual time: in
/// real time that takes an interval of wall time, so the round goes out at
/// once. Faster than real time it can happen every few events, and a round is
/// a record on every partition of both topics: then it waits until
/// `coalescing` of wall time has passed since the last round. Nothing a
/// consumer can use is lost: a watermark at T makes every promise one at an
/// earlier time would have made, so the round that goes out covers the
/// skipped ones, at most 10 ms later. While no event comes, a round goes out
/// every interval of wall time. A value: the loop asks it and sends.
struct WatermarkSchedule {
    /// At most this often (wall time) a watermark follows virtual time when
    /// the run is faster than real time: 100 rounds a second.
    static let coalescingCap: UInt64 = 10_000_000

    let interval: VirtualNanoseconds
    let wallInterval: UInt64
    /// 0 in real time.
    let coalescing: UInt64
    /// The virtual time at which the next round is due (`.max` while one is held back).
    private(set) var nextVirtual: VirtualNanoseconds
    private(set) var lastWall: UInt64
    /// A round due by virtual time is held back until `coalescing` has passed.
    private(set) var pending = false

    init(intervalSeconds: Double, pacing: PacingMode, now: UInt64) {
        interval = VirtualNanoseconds(intervalSeconds * 1e9)
        wallInterval = UInt64(intervalSeconds * 1e9)
        coalescing = pacing == .realtime ? 0 : min(wallInterval, Self.coalescingCap)
        nextVirtual = interval
        lastWall = now
    }

    /// Continuing after a checkpoint whose last event was at `lastTime`.
    mutating func resume(after lastTime: VirtualNanoseconds) {
        nextVirtual = lastTime + interval
    }

    /// After the `published`-th event, at `time`: whether to look at the
    /// schedule now. A held-back round is looked at every 16 events (not every
    /// event: that would be a clock read each), and while idle.
    func worthChecking(at time: VirtualNanoseconds, published: Int) -> Bool {
        time >= nextVirtual || (pending && published & 15 == 0)
    }

    /// Virtual time reached a round (see `worthChecking`): true to send it now,
    /// false when it is held back (`now` is read only when coalescing).
    mutating func dueByVirtualTime(now: () -> UInt64) -> Bool {
        if coalescing > 0 && now() &- lastWall < coalescing {
            pending = true
            nextVirtual = .max  // until it goes out; then one interval on
            return false
        }
        return true
    }

    /// A round is due by wall time: an interval since the last, or a held-back one's wait is over.
    func dueByWall(now: UInt64) -> Bool {
        let since = now &- lastWall
        return since >= wallInterval || (pending && since >= coalescing)
    }

    /// A round at `time` went out at wall `now`.
    mutating func sent(at time: VirtualNanoseconds, now: UInt64) {
        pending = false
        nextVirtual = time + interval
        lastWall = now
    }

    /// The final round (end of stream) went out: nothing is held back any more.
    mutating func ended() { pending = false }
}
