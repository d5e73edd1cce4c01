/// Everything that changes a configuration after it is read: the command
/// line's overrides (`--duration`, `--requests`, `--seed`, `--mode`,
/// `--speed`, `--metrics-listen`) and what a start of `run` decides (the
/// brokers to use, the run's identity). `Configuration.override(_:)` applies
/// them: the one place a read configuration changes.
package struct ConfigurationOverrides: Sendable {
    package var duration: Double?
    package var requests: Int?
    package var seed: UInt64?
    package var clockMode: ClockMode?
    /// `--speed`: a speed, or `.some(nil)` for `max`.
    package var speed: Double??
    package var metricsListen: String?
    /// In place of `kafka.brokers` (`--brokers`, or the embedded cluster's).
    package var brokers: String?
    /// The run this start is: its run ID (anchored), and its seed when it differs.
    package var identity: RunIdentity?

    package init(duration: Double? = nil, requests: Int? = nil, seed: UInt64? = nil) {
        self.duration = duration
        self.requests = requests
        self.seed = seed
    }
}

extension Configuration {
    /// Applies `overrides`; the run ID follows (re-derived, or the identity's).
    package mutating func override(_ overrides: ConfigurationOverrides) {
        if let duration = overrides.duration { workload.totalDuration = duration }
        if let requests = overrides.requests { workload.totalRequests = requests }
        if let seed = overrides.seed {
            workload.seed = seed
            seedWasChosen = false
        }
        if let mode = overrides.clockMode { clock.mode = mode }
        if let speed = overrides.speed { clock.speed = speed }
        if let listen = overrides.metricsListen { metrics.listen = listen }
        if let brokers = overrides.brokers { kafka.brokers = brokers }
        resolveFeedback()
        guard let identity = overrides.identity else {
            deriveRunID()
            return
        }
        if identity.seed != workload.seed {
            // A continued run whose seed was chosen at random on its first start.
            workload.seed = identity.seed
            seedWasChosen = false
        }
        runID = identity.runID
    }

    /// Applies command-line overrides and re-derives the run ID.
    package mutating func override(duration: Double? = nil, requests: Int? = nil, seed: UInt64? = nil) {
        override(ConfigurationOverrides(duration: duration, requests: requests, seed: seed))
    }
}
