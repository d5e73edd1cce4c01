import WorkloadModel
import WorkloadTraces

/// Where `run` sends events.
public enum SinkChoice: Sendable, Equatable {
    case kafka
    case stdout
    case file(String)
    /// Generate and encode, publish nothing (for measurements).
    case null

    /// Parses `kafka`, `stdout`, `null` or `file:PATH`.
    public init?(parsing text: String) {
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
public struct RunOptions: Sendable {
    public var sink: SinkChoice = .kafka
    public var shard: Shard?
    /// Overrides `kafka.brokers`.
    public var brokers: String?
    /// Start librdkafka's mock cluster in process and publish to it.
    public var embeddedKafka = false
    /// Print when the first event was handed to the sink and when Kafka first
    /// acknowledged a record (`CLOCK_MONOTONIC` ns), for `bench`'s first-event probe.
    public var reportFirstEvent = false
    /// `--state-dir` (or `$STATE_DIRECTORY`): makes the run resumable (see the Resuming article).
    public var stateDirectory: String?
    /// `--new-run`: start a new run in the state directory instead of continuing its run.
    public var newRun = false
    public init() {}
}

/// How a run ended.
public struct RunOutcome: Sendable {
    public var events = 0
    public var published = 0
    public var sink = SinkOutcome()
    /// Why the sink stopped the run early, if it did.
    public var sinkFailure: SinkError?
    /// Why a replayed trace stopped the run early (it failed to read), if it did.
    public var sourceFailure: TraceError?
    public var lastVirtualTime: Int64 = 0
    /// The generator bound that ended the run early, if any.
    public var bound: GeneratorBound?
    /// When the sink's publish of the first event returned (the run's wall clock).
    public var firstPublishedAtWallNanoseconds: UInt64?

    public init() {}
}
