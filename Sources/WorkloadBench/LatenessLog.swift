import WorkloadDaemon
import WorkloadModel

/// Every lateness of a paced benchmark run, kept exactly (no histogram
/// buckets) so that its quantiles are exact. Filled by the one generating
/// thread; storage is reserved up front so recording does not allocate.
final class LatenessLog {
    private(set) var nanoseconds: [UInt64] = []

    init(expected: Int) {
        nanoseconds.reserveCapacity(expected)
    }

    @inline(__always)
    func record(_ value: UInt64) {
        nanoseconds.append(value)
    }

    /// p50, p99, p99.9 and the maximum (nearest rank), in milliseconds; nil
    /// when nothing was recorded.
    func quantiles() -> BenchReport.Quantiles? {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        func at(_ q: Double) -> Double {
            let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
            return Double(sorted[min(rank, sorted.count) - 1]) / 1e6
        }
        return BenchReport.Quantiles(p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1))
    }
}

/// Fills a `LatenessLog` from the daemon's loop: for every published event,
/// from its due wall time to the return of the sink's publish.
final class PublishLateness: RunObserver {
    let log: LatenessLog
    private let clock: any WallClock

    init(log: LatenessLog, clock: any WallClock) {
        self.log = log
        self.clock = clock
    }

    var watchesEachEvent: Bool { true }

    func published(_ event: Event, lateness: UInt64?, progress: RunProgress) {
        guard let due = progress.pacer.dueWallNanoseconds(virtualNanoseconds: event.time) else { return }
        let now = clock.now()
        log.record(now > due ? now - due : 0)
    }
}
