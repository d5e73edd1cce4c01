import WorkloadModel

/// Where the daemon's events go. Implementations are driven from the one
/// generating thread.
protocol EventSink: AnyObject {
    /// Publishes one event whose encoded JSON object (no newline) is `value`.
    /// Waits while the sink is full (backpressure); throws only when the sink
    /// can take nothing more.
    func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError)

    /// Promises that no later event has `time_s` below `time`.
    func watermark(time: VirtualNanoseconds, afterSeq: UInt64?)

    /// Serves callbacks (delivery reports); called often from the loop.
    func poll()

    /// Records accepted but not yet confirmed.
    var outstanding: Int { get }

    /// Flushes within `timeoutSeconds` and reports what became of every event.
    func finish(timeoutSeconds: Double) -> SinkOutcome
}

/// What a sink did with the events it was given.
public struct SinkOutcome: Sendable, Equatable {
    public var delivered = 0
    public var failed = 0
    /// Still queued when the flush bound ran out (then purged, so also in `failed`).
    public var undelivered = 0
    public var failuresByError: [String: Int] = [:]
    public var fatalError: String?
    /// When the first record was acknowledged (`CLOCK_MONOTONIC` ns), if ever.
    public var firstDeliveredAtMonotonicNanoseconds: UInt64?

    public var isClean: Bool { failed == 0 && undelivered == 0 && fatalError == nil }
}

public struct SinkError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var isFatal: Bool
    public var description: String { message }
}
