import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// Where `run` takes its events from: the runner's one seam to the model.
/// Either the profile model (`GeneratedEvents`) or a replayed trace streamed
/// from its file (`ReplaySource`, which never holds the whole trace).
protocol RunEventSource: AnyObject {
    /// The next event, with the hash_ids a replayed request carries of its
    /// own; nil once the stream has ended (a bound, or after `stop`).
    func next() throws(TraceError) -> ReplayEvent?
    /// Ends the stream where it is: what follows closes the open sessions
    /// (reason `shutdown`).
    func stop()
    var virtualTime: VirtualNanoseconds { get }
    var activeSessions: Int { get }
    /// The generator bound that ended the stream early, if any.
    var boundReached: GeneratorBound? { get }
}

/// The source for `configuration`: its trace when it has `workload.replay`,
/// else its profiles. Opening the trace can fail (it was read once at start-up,
/// but it may have gone since).
func makeEventSource(for configuration: Configuration, restoring engine: WorkloadEngine? = nil) throws(TraceError) -> any RunEventSource {
    if configuration.replay != nil { return try ReplaySource(configuration) }
    return GeneratedEvents(engine: engine ?? WorkloadEngine(spec: configuration.workload))
}

/// The profile model (`WorkloadEngine`) as a source.
final class GeneratedEvents: RunEventSource {
    /// Read by `--state-dir`'s checkpoints (a copy: the arrays are shared until the engine next changes them).
    private(set) var engine: WorkloadEngine

    init(engine: WorkloadEngine) { self.engine = engine }

    func next() -> ReplayEvent? { engine.next().map { ReplayEvent(event: $0) } }
    func stop() { engine.stop(at: engine.virtualTime, reason: .shutdown) }
    var virtualTime: VirtualNanoseconds { engine.virtualTime }
    var activeSessions: Int { engine.activeSessions }
    var boundReached: GeneratorBound? { engine.boundReached }
}

extension ReplaySource: RunEventSource {
    /// A trace has no memory ceilings: it ends at its last row or the run's bound.
    var boundReached: GeneratorBound? { nil }
}
