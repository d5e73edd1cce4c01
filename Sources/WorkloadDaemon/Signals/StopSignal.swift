#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Logging
import Synchronization

/// A one-way "stop now" flag: set by SIGTERM/SIGINT (or by code), read by the generating
/// loop with one relaxed atomic load per check.
///
/// Signals are received through `DispatchSourceSignal` with their default action
/// ignored, so no code runs in signal context and nothing is interrupted mid-write:
/// the flag is set on a dispatch queue and the loop sees it at its next check.
package final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let signalNumber = Atomic<Int32>(0)
    private let hangupCount = Atomic<Int>(0)
    private let stopSignalCount = Atomic<Int>(0)
    private let released = DispatchGroup()
    private let sources = Mutex<[any DispatchSourceSignal]>([])

    package init() {
        released.enter()
    }

    /// True once a stop was asked for.
    @inline(__always)
    package var isSet: Bool {
        flag.load(ordering: .acquiring)
    }

    /// The signal that asked to stop, or nil when none did (not set, or set by code).
    package var receivedSignal: Int32? {
        let number = signalNumber.load(ordering: .acquiring)
        return number == 0 ? nil : number
    }

    /// How many SIGHUPs were received (and ignored).
    package var hangups: Int {
        hangupCount.load(ordering: .relaxed)
    }

    /// Asks to stop. Idempotent.
    package func set() {
        if !flag.exchange(true, ordering: .acquiringAndReleasing) {
            released.leave()
        }
    }

    /// Blocks the calling thread until the flag is set.
    package func wait() {
        released.wait()
    }

    /// Blocks until the flag is set or `timeout` passes; returns whether it is set.
    package func wait(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000)
        return released.wait(timeout: .now() + .nanoseconds(max(0, nanoseconds))) == .success
    }

    /// Routes SIGTERM and SIGINT to a new `StopSignal`, ignores SIGHUP (logged, counted;
    /// it must never kill the daemon) and SIGPIPE (socket errors are handled where they
    /// occur).
    ///
    /// With `forceExitOnSecondSignal`, a second SIGTERM/SIGINT exits at once with status
    /// 128 + signal: an operator who presses Ctrl-C twice means it. systemd sends SIGTERM
    /// only once and then SIGKILL after `TimeoutStopSec`, so this does not shorten a
    /// graceful stop under systemd.
    package static func installHandlers(
        logger: Logger,
        forceExitOnSecondSignal: Bool = true,
        queue: DispatchQueue = DispatchQueue(label: "llm-workload.signals")
    ) -> StopSignal {
        let stop = StopSignal()
        signal(SIGPIPE, SIG_IGN)
        // Sources are made inside the lock so that they never leave its isolation region
        // (`DispatchSourceSignal` is not Sendable).
        // A source listens only once registered, asynchronously after `resume()`; until
        // then an ignored signal is simply lost. Wait for the registrations, so that a
        // signal sent after this function returns is never missed.
        let registered = DispatchGroup()
        stop.sources.withLock { sources in
            for number in [SIGTERM, SIGINT] {
                // The default action must be off before the source exists, or the first
                // signal would still terminate the process.
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    stop.received(number, logger: logger, forceExitOnSecondSignal: forceExitOnSecondSignal)
                }
                registered.enter()
                source.setRegistrationHandler { registered.leave() }
                source.resume()
                sources.append(source)
            }
            signal(SIGHUP, SIG_IGN)
            let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
            hangup.setEventHandler {
                stop.hangupCount.wrappingAdd(1, ordering: .relaxed)
                logger.notice("SIGHUP received and ignored", metadata: ["hint": "restart the service to load a new config"])
            }
            registered.enter()
            hangup.setRegistrationHandler { registered.leave() }
            hangup.resume()
            sources.append(hangup)
        }
        if registered.wait(timeout: .now() + 5) == .timedOut {
            logger.warning("signal handlers not yet registered after 5 s; continuing")
        }
        return stop
    }

    /// Stops listening for signals (the dispositions stay ignored). For tests and for
    /// handing signals to another owner.
    package func cancelHandlers() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources = []
        }
    }

    private func received(_ number: Int32, logger: Logger, forceExitOnSecondSignal: Bool) {
        let count = stopSignalCount.wrappingAdd(1, ordering: .relaxed).newValue
        let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
        if count > 1 && forceExitOnSecondSignal {
            logger.warning("second stop signal: exiting without flushing", metadata: ["signal": "\(name)"])
            _exit(128 + number)
        }
        logger.notice("stop requested", metadata: ["signal": "\(name)"])
        signalNumber.store(number, ordering: .releasing)
        set()
    }
}
