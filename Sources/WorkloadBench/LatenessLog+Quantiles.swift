import WorkloadDaemon

extension LatenessLog {
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
