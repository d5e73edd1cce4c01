import WorkloadModel

/// The documented range of every number that reaches a timer, a buffer, an
/// integer or a date (the configuration reference, next to each key), in one place: the reader,
/// the command line and the preflight all check against these.
package enum ConfigBounds {
    /// `clock.watermark_interval_s`: seconds (it becomes integer nanoseconds).
    package static let watermarkIntervalSeconds: ClosedRange<Double> = 0.001...86_400
    /// `kafka.flush_timeout_s`: seconds (it becomes integer milliseconds).
    package static let flushTimeoutSeconds: ClosedRange<Double> = 0.001...3600
    /// `kafka.embedded_partitions`: per topic of the in-process mock cluster.
    package static let embeddedPartitions: ClosedRange<Double> = 1...1024
    /// `kafka.create_topics.partitions`: per topic `run` creates on the brokers.
    package static let createdPartitions: ClosedRange<Double> = 1...10_000
    /// `kafka.create_topics.replication_factor` (a 16-bit field in Kafka's CreateTopics request).
    package static let replicationFactor: ClosedRange<Double> = 1...32_767
    /// `clock.speed` and `--speed`: virtual seconds per wall second.
    package static let speed: ClosedRange<Double> = 1e-6...1e9
    /// `service_model.prefill_tokens_per_s`: uncached prompt tokens per second.
    package static let prefillTokensPerSecond: ClosedRange<Double> = 1e-6...1e12
    /// `num_clients` (client IDs are 32-bit).
    package static let numClients: ClosedRange<Double> = 1...1_000_000_000
    /// `workload.limits.max_open_sessions` and `max_in_flight_requests`.
    package static let generatorLimit: ClosedRange<Double> = 1...100_000_000
    /// Events `warm_start` may simulate before the first one (about a
    /// second of the generator at full speed).
    package static let burnInEvents = 5e6
    /// `workload.limits.max_memory_mib`.
    package static let memoryMiB: ClosedRange<Double> = 256...1_048_576
    /// Share of the limits above which `validate` warns.
    package static let limitWarningShare = 0.5
    /// Link utilisation above which `validate` warns (at 1 it rejects).
    package static let utilisationWarning = 0.8

    /// `clock.start`: the anchor plus the clock's whole range
    /// (`GeneratorLimits.virtualTimeLimit`, about 31.7 years) must fit Int64
    /// nanoseconds (1677-09-21 to 2262-04-11), so `time` can never wrap.
    package static let earliestStart = "1678-01-01T00:00:00Z"
    package static let latestStart = "2230-01-01T00:00:00Z"
    static let startRange: ClosedRange<Int64> = RFC3339.parse(earliestStart)!...RFC3339.parse(latestStart)!

    /// "low to high", as messages write bounds.
    package static func describe(_ range: ClosedRange<Double>) -> String {
        "\(NumberRule.format(range.lowerBound)) to \(NumberRule.format(range.upperBound))"
    }

    /// Kafka's own limit on a topic name.
    package static let topicNameLength = 249
}

extension NumberRule {
    static func within(_ range: ClosedRange<Double>) -> NumberRule { between(range.lowerBound, range.upperBound) }
}
