import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// Where `run` takes its events from: the runner's one seam to the model.
/// Either the profile model (`GeneratedEvents`) or a replayed trace streamed
/// from its file (`ReplayedEvents`, which never holds the whole trace).
package protocol RunEventSource: AnyObject {
    /// The next event; nil once the stream has ended (a bound, or after `stop`).
    func next() throws(TraceError) -> Event?
    /// Encodes `event`, the last one `next` returned, as the stream carries it
    /// (a replayed request with the hash_ids of its own row).
    func encode(_ event: Event, with encoder: EventEncoder, into writer: inout ByteWriter)
    /// Ends the stream where it is: what follows closes the open sessions
    /// (reason `shutdown`).
    func stop()
    var virtualTime: VirtualNanoseconds { get }
    var activeSessions: Int { get }
    /// The generator bound that ended the stream early, if any.
    var boundReached: GeneratorBound? { get }
    /// The engine a checkpoint saves (`--state-dir`); nil when the source
    /// cannot be resumed (a replay restarts from its first row).
    var checkpointEngine: WorkloadEngine? { get }
    /// `feedback`: the engine's side of the loop (nil: the source takes no completions).
    var completions: (any CompletionTaker)? { get }
}

/// A source whose completion-anchored turns wait for completions from
/// outside (see `WorkloadEngine+Feedback`).
package protocol CompletionTaker: AnyObject {
    /// `next()` returned nil because it waits, not because the stream ended.
    var isStalled: Bool { get }
    func deliver(_ completion: ParsedCompletion) -> CompletionVerdict
    /// The session ID keying the records of the request `completion` answers
    /// (a subagent's call: its tree's root's); nil when unknown.
    func keyingSessionID(of completion: ParsedCompletion) -> UInt64?
    func advanceCompletionsFrontier(to time: VirtualNanoseconds)
    func generateOnly(before time: VirtualNanoseconds)
    /// While stalled: no event still to come is earlier.
    func eventsPromise() -> VirtualNanoseconds
    /// While stalled: no request still to come is earlier (`.max`: none comes).
    var requestsPromise: VirtualNanoseconds { get }
    var awaitingCompletions: Int { get }
    var feedbackCounts: FeedbackCounts { get }
    /// Real time: how much later than due follow-up (`session`, `turn`) was sent (see the engine's).
    func followUpSendLag(session: UInt64, turn: Int32) -> VirtualNanoseconds
    /// After a restart: keep completions of requests not generated again yet, up to `time` (see the engine's).
    func holdEarlyCompletions(until time: VirtualNanoseconds)
}

/// The source for `configuration`: its trace when it has `workload.replay`,
/// else its profiles. Opening the trace can fail (it was read once at start-up,
/// but it may have gone since).
func makeEventSource(for configuration: Configuration, restoring engine: WorkloadEngine? = nil) throws(TraceError) -> any RunEventSource {
    if configuration.replay != nil { return ReplayedEvents(try ReplaySource(configuration)) }
    return GeneratedEvents(engine: engine ?? WorkloadEngine(spec: configuration.workload))
}

/// The profile model (`WorkloadEngine`) as a source: its events go out as
/// they come, unwrapped.
final class GeneratedEvents: RunEventSource {
    /// Read by `--state-dir`'s checkpoints (a copy: the arrays are shared until the engine next changes them).
    /// Only the thread that owns the source reaches it, and never from inside one of its own
    /// calls, so the dynamic exclusivity check a class property gets per access (a call into
    /// the runtime for every `next()`) is left out.
    @exclusivity(unchecked) private(set) var engine: WorkloadEngine

    init(engine: WorkloadEngine) { self.engine = engine }

    func next() -> Event? { engine.next() }
    func encode(_ event: Event, with encoder: EventEncoder, into writer: inout ByteWriter) {
        encoder.encode(event, into: &writer)
    }
    func stop() { engine.stop(at: engine.virtualTime, reason: .shutdown) }
    var virtualTime: VirtualNanoseconds { engine.virtualTime }
    var activeSessions: Int { engine.activeSessions }
    var boundReached: GeneratorBound? { engine.boundReached }
    var checkpointEngine: WorkloadEngine? { engine }
    var completions: (any CompletionTaker)? { engine.awaitsExternalCompletions ? self : nil }
}

extension GeneratedEvents: CompletionTaker {
    var isStalled: Bool { engine.isStalled }
    func deliver(_ completion: ParsedCompletion) -> CompletionVerdict {
        engine.deliverCompletion(session: completion.session, turn: completion.turn, time: completion.time,
                                 outputTokens: completion.outputTokens, status: completion.status)
    }
    func keyingSessionID(of completion: ParsedCompletion) -> UInt64? {
        engine.keyingSessionID(ofRequest: completion.session, turn: completion.turn)
    }
    func advanceCompletionsFrontier(to time: VirtualNanoseconds) { engine.advanceCompletionsFrontier(to: time) }
    func generateOnly(before time: VirtualNanoseconds) { engine.generateOnly(before: time) }
    func eventsPromise() -> VirtualNanoseconds { engine.eventsPromise() }
    var requestsPromise: VirtualNanoseconds { engine.requestsPromise }
    var awaitingCompletions: Int { engine.awaitingCompletions }
    var feedbackCounts: FeedbackCounts { engine.feedbackCounts }
    func followUpSendLag(session: UInt64, turn: Int32) -> VirtualNanoseconds {
        engine.followUpSendLag(session: session, turn: turn)
    }
    func holdEarlyCompletions(until time: VirtualNanoseconds) { engine.holdEarlyCompletions(until: time) }
}

/// A replayed trace as a source: keeps the hash_ids of the last row's request
/// for its encoding.
final class ReplayedEvents: RunEventSource {
    private let source: ReplaySource
    private var hashIDs: [Int64]?

    init(_ source: ReplaySource) { self.source = source }

    func next() throws(TraceError) -> Event? {
        guard let item = try source.next() else { return nil }
        hashIDs = item.hashIDs
        return item.event
    }

    func encode(_ event: Event, with encoder: EventEncoder, into writer: inout ByteWriter) {
        encoder.encode(ReplayEvent(event: event, hashIDs: hashIDs), into: &writer)
    }

    func stop() { source.stop() }
    var virtualTime: VirtualNanoseconds { source.virtualTime }
    var activeSessions: Int { source.activeSessions }
    /// A trace has no memory ceilings: it ends at its last row or the run's bound.
    var boundReached: GeneratorBound? { nil }
    var checkpointEngine: WorkloadEngine? { nil }
    var completions: (any CompletionTaker)? { nil }
}
