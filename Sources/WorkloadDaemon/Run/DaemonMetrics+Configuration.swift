extension DaemonMetrics {
    /// The daemon's metrics for a configuration: one series per profile, and
    /// one `topic="all"` publish counter (delivery reports are counted in
    /// total, not per topic).
    convenience init(for configuration: Configuration, clock: any WallClock) {
        self.init(
            profiles: configuration.workload.profiles.map(\.name), topics: ["all"],
            version: LLMWorkloadVersion.current, clock: clock)
    }
}
