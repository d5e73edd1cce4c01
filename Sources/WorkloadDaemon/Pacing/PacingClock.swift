#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import WorkloadKafka

/// The daemon's only source of wall time: a monotonic nanosecond clock that can sleep.
///
/// Injected everywhere wall time matters (pacing, metric windows) so that tests use a
/// `ManualClock` and run instantly.
package protocol WallClock: Sendable {
    /// Monotonic nanoseconds since an arbitrary origin.
    func now() -> UInt64
    /// Blocks the calling thread until `now() >= untilNanoseconds` (returns at once when
    /// that time has passed).
    func sleep(untilNanoseconds: UInt64)
}

/// `CLOCK_MONOTONIC` with an absolute-deadline sleep that spins for the last stretch.
///
/// `clock_nanosleep` wakes up late by the timer slack (50 µs by default on Linux) plus
/// scheduling delay, so the clock sleeps until `spinNanoseconds` before the deadline and
/// then polls the clock. That keeps pacing lateness well under a millisecond at
/// 10,000 events/s, at the price of a busy core for that stretch of each wait.
package struct SystemWallClock: WallClock {
    /// How long before each deadline to stop sleeping and start spinning.
    package let spinNanoseconds: UInt64

    package init(spinNanoseconds: UInt64 = 60_000) {
        self.spinNanoseconds = spinNanoseconds
    }

    package func now() -> UInt64 { SteadyClock.nanoseconds() }

    package func sleep(untilNanoseconds deadline: UInt64) {
        var current = now()
        if current >= deadline { return }
        if deadline - current > spinNanoseconds {
            let wake = deadline - spinNanoseconds
            #if canImport(Darwin)
            let delta = wake - current
            var request = timespec(tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
            while nanosleep(&request, &request) == -1 && errno == EINTR {}
            #else
            var request = timespec(tv_sec: Int(wake / 1_000_000_000), tv_nsec: Int(wake % 1_000_000_000))
            // An absolute deadline makes an EINTR restart exact; clock_nanosleep returns
            // the error number instead of setting errno.
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &request, nil) == EINTR {}
            #endif
            current = now()
        }
        while current < deadline {
            current = now()
        }
    }
}

/// A clock for tests: time moves only when told to, and sleeping jumps straight to the
/// deadline.
package final class ManualClock: WallClock {
    private let state: Mutex<State>

    private struct State {
        var now: UInt64
        var sleeps: [UInt64] = []
    }

    package init(now: UInt64 = 0) {
        state = Mutex(State(now: now))
    }

    package func now() -> UInt64 {
        state.withLock { $0.now }
    }

    /// Records the deadline and, if it lies ahead, advances the clock to it.
    package func sleep(untilNanoseconds deadline: UInt64) {
        state.withLock {
            $0.sleeps.append(deadline)
            $0.now = max($0.now, deadline)
        }
    }

    /// Moves time forward, as if work had taken that long.
    package func advance(by nanoseconds: UInt64) {
        state.withLock { $0.now += nanoseconds }
    }

    /// Every deadline passed to `sleep`, oldest first.
    package var sleepDeadlines: [UInt64] {
        state.withLock { $0.sleeps }
    }
}

/// How virtual time maps to wall time (`clock.mode` / `clock.speed`).
package enum PacingMode: Sendable, Equatable {
    /// Virtual seconds = wall seconds.
    case realtime
    /// Virtual seconds = `speed` × wall seconds (`speed` > 0, finite).
    case accelerated(speed: Double)
    /// As fast as the sink accepts: never waits.
    case max
}

/// Holds the generator back until each event is due on the wall clock, and measures how
/// late it leaves.
///
/// Event at virtual time `v` is due at `wallStart + (v - virtualStart) / speed`. Events
/// whose virtual time lies before the virtual start are due at once. A generator that
/// falls behind (a stalled sink) catches up at full speed rather than re-anchoring, so
/// virtual time stays tied to wall time and the stall shows up as lateness.
package struct Pacer: Sendable {
    package let mode: PacingMode
    package let virtualStartNanoseconds: Int64
    package let wallStartNanoseconds: UInt64
    package let clock: any WallClock
    /// Lateness of the most recent `waitUntilDue`.
    package private(set) var lastLatenessNanoseconds: UInt64 = 0

    package init(mode: PacingMode, virtualStartNanoseconds: Int64, wallStartNanoseconds: UInt64, clock: any WallClock) {
        if case .accelerated(let speed) = mode {
            precondition(speed > 0 && speed.isFinite, "accelerated pacing needs a finite speed > 0, got \(speed)")
        }
        self.mode = mode
        self.virtualStartNanoseconds = virtualStartNanoseconds
        self.wallStartNanoseconds = wallStartNanoseconds
        self.clock = clock
    }

    /// Anchors virtual start to the clock's current time.
    package init(mode: PacingMode, virtualStartNanoseconds: Int64, clock: any WallClock) {
        self.init(mode: mode, virtualStartNanoseconds: virtualStartNanoseconds,
                  wallStartNanoseconds: clock.now(), clock: clock)
    }

    /// The wall time (clock nanoseconds) at which `virtualNanoseconds` is due, or nil in
    /// `max` mode, where nothing waits.
    package func dueWallNanoseconds(virtualNanoseconds: Int64) -> UInt64? {
        // Subtraction in the wider domain: virtual times may be negative or far apart.
        let offset = virtualNanoseconds.subtractingReportingOverflow(virtualStartNanoseconds)
        let elapsed: UInt64
        if offset.overflow {
            elapsed = virtualNanoseconds < virtualStartNanoseconds ? 0 : UInt64.max
        } else {
            elapsed = offset.partialValue <= 0 ? 0 : UInt64(offset.partialValue)
        }
        let wallOffset: UInt64
        switch mode {
        case .max:
            return nil
        case .realtime:
            wallOffset = elapsed
        case .accelerated(let speed):
            // Double division is monotone, so due times never run backwards; its rounding
            // (a few ns after ~100 days of virtual time) is far below pacing resolution.
            let scaled = (Double(elapsed) / speed).rounded(.up)
            wallOffset = scaled >= 18_446_744_073_709_551_615.0 ? UInt64.max : UInt64(scaled)
        }
        let due = wallStartNanoseconds.addingReportingOverflow(wallOffset)
        return due.overflow ? UInt64.max : due.partialValue
    }

    /// Sleeps until `virtualNanoseconds` is due and returns how late the caller is then, in
    /// nanoseconds (0 when on time, and always 0 in `max` mode).
    @discardableResult
    package mutating func waitUntilDue(virtualNanoseconds: Int64) -> UInt64 {
        guard let due = dueWallNanoseconds(virtualNanoseconds: virtualNanoseconds) else {
            lastLatenessNanoseconds = 0
            return 0
        }
        if clock.now() < due {
            clock.sleep(untilNanoseconds: due)
        }
        let now = clock.now()
        lastLatenessNanoseconds = now > due ? now - due : 0
        return lastLatenessNanoseconds
    }

    /// Like `waitUntilDue(virtualNanoseconds:)`, but sleeps in slices of at most
    /// `tickNanoseconds` and calls `tick` between them, so a long wait (a quiet spell in
    /// a diurnal profile) still pings the watchdog and notices a stop request.
    ///
    /// Returns the lateness, or nil when `tick` returned false (stop waiting).
    package mutating func waitUntilDue(
        virtualNanoseconds: Int64,
        tickNanoseconds: UInt64,
        tick: () -> Bool
    ) -> UInt64? {
        precondition(tickNanoseconds > 0, "tickNanoseconds must be > 0")
        guard let due = dueWallNanoseconds(virtualNanoseconds: virtualNanoseconds) else {
            lastLatenessNanoseconds = 0
            return 0
        }
        var now = clock.now()
        while now < due {
            if due - now > tickNanoseconds {
                clock.sleep(untilNanoseconds: now + tickNanoseconds)
                guard tick() else { return nil }
            } else {
                clock.sleep(untilNanoseconds: due)
            }
            now = clock.now()
        }
        lastLatenessNanoseconds = now - due
        return lastLatenessNanoseconds
    }
}

/// Wall-clock time now as Unix milliseconds (`CLOCK_REALTIME`), for Kafka record
/// timestamps. Never use it for pacing: it jumps when the system clock is set.
package func wallRealtimeNow() -> Int64 { SteadyClock.unixMilliseconds() }
