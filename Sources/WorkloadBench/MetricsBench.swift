import WorkloadConfig
import WorkloadDaemon

/// The per-event metric updates of the daemon's loop, alone: what one
/// `eventGenerated` (every event a paced run publishes) and one lateness recording (every
/// paced event) cost, in nanoseconds per call, on the metrics `run` exports.
enum MetricsBench {
    struct Figures: Sendable {
        /// `DaemonMetrics.eventGenerated(typeIndex:profileIndex:)`.
        var generatedNanoseconds: Double
        /// `DaemonMetrics.recordLateness(nanoseconds:)`.
        var latenessNanoseconds: Double
    }

    /// The median of `runs` runs of `calls` calls of each.
    static func measure(configuration: Configuration, calls: Int, runs: Int) -> Figures {
        let metrics = DaemonMetrics(for: configuration, clock: SystemWallClock())
        let profiles = max(1, metrics.profiles.count)
        let types = metrics.eventTypes.count
        var generated: [Double] = [], lateness: [Double] = []
        for _ in 0..<max(1, runs) {
            var watch = Stopwatch()
            for i in 0..<calls {
                metrics.eventGenerated(typeIndex: i % types, profileIndex: i % profiles)
            }
            generated.append(watch.elapsedSeconds * 1e9 / Double(calls))
            watch = Stopwatch()
            for i in 0..<calls {
                // Spread over 0 to 3 ms, the buckets a paced run fills.
                metrics.recordLateness(nanoseconds: UInt64((i &* 7_919) % 3_000_000))
            }
            lateness.append(watch.elapsedSeconds * 1e9 / Double(calls))
        }
        return Figures(generatedNanoseconds: median(generated), latenessNanoseconds: median(lateness))
    }
}
