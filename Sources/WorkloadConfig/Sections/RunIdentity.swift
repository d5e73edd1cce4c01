import WorkloadModel

/// Who a run is: its ID, its seed and the Unix instant virtual time 0 stands
/// for. A run is its configuration, seed, bounds and start anchor. The first
/// three are in the configuration's own ID (`Configuration.runID`, from
/// `read` and `override`); an explicit `clock.start` is in the configuration
/// text. With `clock.start: now` the anchor is chosen when the run starts, so
/// a `run` started at another instant is another run (`run` then anchors
/// `time` where its pacing begins, once connected: a few tens of ms later). `generate` anchors at
/// the Unix epoch, which adds nothing: its `run_id` stays what it always was,
/// and with an explicit `clock.start` `run` and `generate` agree byte for byte.
///
/// `run` derives it once per start (`DaemonSetup`, from the state directory's
/// record when it continues a run) and applies it with `Configuration.forRun`.
package struct RunIdentity: Sendable, Equatable {
    package let runID: String
    package let seed: UInt64
    package let anchorUnixNanoseconds: Int64

    /// `configuration` started at `anchor`, with `seed` instead of its own
    /// (the recorded seed of a run whose seed was chosen at random).
    package init(configuration: Configuration, seed: UInt64? = nil, anchorUnixNanoseconds anchor: Int64) {
        let seed = seed ?? configuration.workload.seed
        self.seed = seed
        anchorUnixNanoseconds = anchor
        guard !configuration.runIDWasGiven else {
            runID = configuration.runID
            return
        }
        let unanchored = Self.runID(configuration, seed: seed)
        guard configuration.clock.startUnixNanoseconds == nil, anchor != 0 else {
            runID = unanchored
            return
        }
        var identity = StreamIdentity("run-anchor")
        identity.append(UInt64(unanchored, radix: 16) ?? 0)
        identity.append(UInt64(bitPattern: anchor))
        runID = String(identity.hash, radix: 16).leftPadded(to: 16)
    }

    /// The run ID of `configuration` with `seed`, before any anchor: from the
    /// configuration text and everything that overrides it (seed, duration,
    /// request cap).
    static func runID(_ configuration: Configuration, seed: UInt64) -> String {
        var identity = StreamIdentity("run")
        identity.append(configuration.textHash)
        identity.append(seed)
        identity.append(configuration.workload.totalDuration.map { $0.bitPattern } ?? .max)
        identity.append(configuration.workload.totalRequests.map { UInt64($0) } ?? .max)
        return String(identity.hash, radix: 16).leftPadded(to: 16)
    }
}

extension Configuration {
    /// The configuration `run` uses: `identity` applied (its run ID, and the
    /// recorded seed when continuing a run whose seed was chosen) and `brokers`
    /// (the command line's, or the embedded cluster's) in place of `kafka.brokers`.
    package func forRun(identity: RunIdentity, brokers: String?) -> Configuration {
        var overrides = ConfigurationOverrides()
        overrides.identity = identity
        overrides.brokers = brokers
        var configuration = self
        configuration.override(overrides)
        return configuration
    }
}
