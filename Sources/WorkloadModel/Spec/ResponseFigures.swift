/// `validate`'s figures of a service model, per profile: the modeled response
/// time (completion - arrival), and for a send-anchored profile the share of
/// later turns sent before the response they carry would complete.
///
/// Simulated: the engine runs the workload with every completion emitted
/// (a fixed number of requests, from the configuration's own seed), so the
/// figures include the turn mix, growing prompts and the links as the run has them.
package struct ResponseFigures: Sendable {
    package struct Profile: Sendable {
        /// Requests whose completion the simulation saw.
        package var responses = 0
        package var meanSeconds = 0.0
        package var p50Seconds = 0.0
        package var p99Seconds = 0.0
        /// Later turns whose dependency's completion the simulation saw, and those sent before it.
        package var laterTurns = 0
        package var sentEarly = 0

        package var earlyShare: Double? { laterTurns > 0 ? Double(sentEarly) / Double(laterTurns) : nil }
    }

    /// By profile index; nil for a profile without a service model.
    package var profiles: [Profile?]
    package var simulatedRequests: Int

    /// Requests simulated: the p99 from about 20,000 responses is within a few percent.
    package static let requestsToSimulate = 20_000
}

extension WorkloadSpec {
    /// The response figures (nil when no profile has a service model).
    package func responseFigures(requests: Int = ResponseFigures.requestsToSimulate) -> ResponseFigures? {
        guard profiles.indices.contains(where: { serviceModel(ofProfile: $0) != nil }) else { return nil }
        var spec = self
        spec.serviceModel?.emitCompletions = true
        for index in spec.profiles.indices { spec.profiles[index].serviceModel?.emitCompletions = true }
        spec.totalDuration = nil
        spec.totalRequests = requests
        spec.warmStart = false
        var engine = WorkloadEngine(spec: spec)
        var arrivals: [RequestKey: VirtualNanoseconds] = [:]
        // Later turns waiting for their dependency's completion: their send, by the dependency.
        var waiting: [RequestKey: VirtualNanoseconds] = [:]
        // Completions no later turn has named yet.
        var completed: [RequestKey: VirtualNanoseconds] = [:]
        var times = [[Double]](repeating: [], count: profiles.count)
        var figures = ResponseFigures(profiles: profiles.indices.map { serviceModel(ofProfile: $0) == nil ? nil : .init() },
                                      simulatedRequests: 0)
        while let event = engine.next() {
            switch event {
            case .request(let r):
                figures.simulatedRequests += 1
                arrivals[RequestKey(session: r.ownSessionID, turn: r.turn)] = r.time
                guard r.turn >= 2 else { continue }
                let dependency = RequestKey(session: r.ownSessionID, turn: r.turn - 1)
                if let done = completed.removeValue(forKey: dependency) {
                    figures.profiles[Int(r.profile)]?.laterTurns += 1
                    if r.sentAt < done { figures.profiles[Int(r.profile)]?.sentEarly += 1 }
                } else {
                    waiting[dependency] = r.sentAt
                }
            case .completion(let c):
                let key = RequestKey(session: AgentLinks.sessionID(root: c.sessionID, subagent: c.subagent), turn: c.turn)
                let profile = Int(c.profile)
                if let arrival = arrivals.removeValue(forKey: key) { times[profile].append(Double(c.time - arrival) / 1e9) }
                if let sentAt = waiting.removeValue(forKey: key) {
                    figures.profiles[profile]?.laterTurns += 1
                    if sentAt < c.time { figures.profiles[profile]?.sentEarly += 1 }
                } else {
                    completed[key] = c.time
                }
            default: break
            }
        }
        for index in profiles.indices where !times[index].isEmpty {
            let sorted = times[index].sorted()
            figures.profiles[index]?.responses = sorted.count
            figures.profiles[index]?.meanSeconds = sorted.reduce(0, +) / Double(sorted.count)
            figures.profiles[index]?.p50Seconds = sorted[Swift.min(sorted.count - 1, sorted.count / 2)]
            figures.profiles[index]?.p99Seconds = sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        }
        return figures
    }
}

/// A request's identity in the model: its session and turn.
struct RequestKey: Hashable {
    var session: UInt64
    var turn: Int32
}
