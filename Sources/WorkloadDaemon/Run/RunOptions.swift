import WorkloadModel
import WorkloadTraces

/// Where `run` sends events.
package enum SinkChoice: Sendable, Equatable {
    case kafka
    case stdout
    case file(String)
    /// Generate and encode, publish nothing (for measurements).
    case null

    /// Parses `kafka`, `stdout`, `null` or `file:PATH`.
    package init?(parsing text: String) {
        switch text {
        case "kafka": self = .kafka
        case "stdout", "-": self = .stdout
        case "null": self = .null
        default:
            guard text.hasPrefix("file:"), text.count > 5 else { return nil }
            self = .file(String(text.dropFirst(5)))
        }
    }
}

/// Everything `run` takes besides the configuration file.
package struct RunOptions: Sendable {
    package var sink: SinkChoice = .kafka
    package var shard: Shard?
    /// Overrides `kafka.brokers`.
    package var brokers: String?
    /// Start librdkafka's mock cluster in process and publish to it.
    package var embeddedKafka = false
    /// Print when the first event was handed to the sink and when Kafka first
    /// acknowledged a record (`CLOCK_MONOTONIC` ns), for `bench`'s first-event probe.
    package var reportFirstEvent = false
    /// `--state-dir` (or `$STATE_DIRECTORY`): makes the run resumable (see the Resuming article).
    package var stateDirectory: String?
    /// `--new-run`: start a new run in the state directory instead of continuing its run.
    package var newRun = false
    package init() {}
}

/// How a run ended.
package struct RunOutcome: Sendable {
    package var events = 0
    package var published = 0
    package var sink = SinkOutcome()
    /// Why the sink stopped the run early, if it did.
    package var sinkFailure: SinkError?
    /// Why a replayed trace stopped the run early (it failed to read), if it did.
    package var sourceFailure: TraceError?
    package var lastVirtualTime: Int64 = 0
    /// The generator bound that ended the run early, if any.
    package var bound: GeneratorBound?
    /// When the sink's publish of the first event returned (the run's wall clock).
    package var firstPublishedAtWallNanoseconds: UInt64?

    package init() {}
}
