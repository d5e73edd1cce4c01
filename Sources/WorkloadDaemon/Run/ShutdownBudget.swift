import Synchronization

/// The one time limit of a stop (`kafka.flush_timeout_s`): it starts when the
/// stop is first noticed and covers everything after it, waiting for room in
/// a full producer queue to close the open sessions and the final flush
/// together. (Giving each its own full budget made a stop during an outage
/// take twice the bound, past systemd's `TimeoutStopSec`.)
final class ShutdownBudget: Sendable {
    private let seconds: Double
    private let clock: any WallClock
    private let startedAt = Atomic<UInt64>(0)

    init(seconds: Double, clock: any WallClock) {
        self.seconds = seconds
        self.clock = clock
    }

    /// Starts the budget now, unless it has started already.
    func start() {
        _ = startedAt.compareExchange(expected: 0, desired: max(1, clock.now()), ordering: .relaxed)
    }

    /// Whether the budget has started and is spent.
    var isExhausted: Bool { remainingSeconds <= 0 }

    /// What is left of the budget; all of it while not started.
    var remainingSeconds: Double {
        let started = startedAt.load(ordering: .relaxed)
        guard started != 0 else { return seconds }
        return seconds - Double(clock.now() &- started) / 1e9
    }
}
