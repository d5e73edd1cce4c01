import WorkloadConfig

extension DaemonMetrics {
    /// The daemon's metrics for a configuration: one series per profile (`replay` for a trace), and
    /// one publish counter per configured topic. (`clock` is not used: the lateness
    /// histogram has no window; kept so that the callers need not change.)
    package convenience init(for configuration: Configuration, clock: any WallClock) {
        self.init(
            profiles: configuration.streamProfileNames, topics: configuration.kafka.topics.inUse,
            version: LLMWorkloadVersion.current, feedback: configuration.feedback != nil)
    }
}
