/// Keeps systemd informed while the loop runs: a watchdog ping every half
/// `WatchdogSec`, and the status line every 5 s. Observes the loop (idle
/// ticks and housekeeping), so a long quiet spell still pings.
final class Heartbeat: RunObserver {
    private let notifier: SystemdNotifier
    private let sink: any EventSink
    /// Half the watchdog interval (nanoseconds), nil without a watchdog.
    private let watchdogHalf: UInt64?
    private var lastWatchdog: UInt64
    private var lastStatus: UInt64
    static let statusInterval: UInt64 = 5_000_000_000

    init(notifier: SystemdNotifier, sink: any EventSink, now: UInt64) {
        self.notifier = notifier
        self.sink = sink
        watchdogHalf = notifier.watchdogInterval.map { interval in
            UInt64(interval.components.seconds) * 500_000_000 + UInt64(interval.components.attoseconds / 2_000_000_000)
        }
        lastWatchdog = now
        lastStatus = now
    }

    func idle(progress: RunProgress, now: UInt64) { beat(progress, now: now) }

    func housekeeping(progress: RunProgress, source: any RunEventSource, now: UInt64) { beat(progress, now: now) }

    private func beat(_ progress: RunProgress, now: UInt64) {
        if let watchdogHalf, now &- lastWatchdog >= watchdogHalf {
            _ = notifier.watchdog()
            lastWatchdog = now
        }
        if now &- lastStatus >= Self.statusInterval {
            lastStatus = now
            let virtual = Double(progress.lastTime) / 1e9
            _ = notifier.status("published \(progress.published) events, virtual time \(String(virtual)) s, \(sink.outstanding) awaiting delivery")
        }
    }
}
