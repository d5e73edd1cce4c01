/// The reference service of `service-model`: a test double and a demo of the
/// closed loop, not a simulator. It serves requests first come, first served
/// on N replicas, each one request at a time: a request starts on the first
/// replica that frees up (`start = max(arrival, free)`), then takes the
/// configuration's `service_model` (TTFT, prefill, output x TPOT) from there.
///
/// Its draws are the generator's own modeled response times (keyed by the
/// request's session and turn, so independent of the order requests come
/// in): with replicas enough that none waits, its completions are the
/// service model's. Requests must come in (arrival, seq) order.
package struct ReferenceService: Sendable {
    /// The model timing each profile's requests (nil: the profile has none, its requests are dropped).
    let models: [ServiceRuntime?]
    let seed: UInt64
    /// When each replica frees up.
    var free: [VirtualNanoseconds]
    /// The share of requests never answered (a service that drops them).
    let dropFraction: Double
    /// The least response time any model can give (its TTFT's infimum).
    package let minimumResponse: VirtualNanoseconds

    package init(spec: WorkloadSpec, replicas: Int, dropFraction: Double = 0) {
        let models = spec.profiles.indices.map { spec.serviceModel(ofProfile: $0) }
        self.models = models.map { $0.map(ServiceRuntime.init) }
        seed = spec.seed
        free = Array(repeating: .min, count: Swift.max(1, replicas))
        self.dropFraction = dropFraction
        let least = models.compactMap { $0 }.map { Swift.max(0, $0.timeToFirstToken.infimum) }.min() ?? 0
        minimumResponse = nanoseconds(fromSeconds: least)
    }

    /// Whether the service has a model for `profile`.
    package func serves(profile: Int) -> Bool { profile >= 0 && profile < models.count && models[profile] != nil }

    /// Whether request (`session`, `turn`) is one the service drops (drawn from its own identity).
    package func drops(session: UInt64, turn: Int32) -> Bool {
        guard dropFraction > 0 else { return false }
        var identity = StreamIdentity("service-drops")
        identity.append(session)
        identity.append(UInt64(UInt32(bitPattern: turn)))
        var rng = Xoshiro256(seed: identity.combined(with: seed))
        return rng.nextUnit() < dropFraction
    }

    /// Serves a request of `profile` arriving at `arrival`: its first token
    /// and completion, or nil when dropped (it then takes no replica).
    package mutating func serve(session: UInt64, turn: Int32, profile: Int, arrival: VirtualNanoseconds,
                               uncachedTokens: Int64, outputTokens: Int64) -> (firstToken: VirtualNanoseconds, completion: VirtualNanoseconds)? {
        guard serves(profile: profile), !drops(session: session, turn: turn), let model = models[profile] else { return nil }
        var replica = 0
        for index in free.indices where free[index] < free[replica] { replica = index }
        let start = Swift.max(arrival, free[replica])
        let times = model.times(session: session, turn: turn, seed: seed, arrival: start,
                                uncachedTokens: uncachedTokens, outputTokens: outputTokens)
        free[replica] = times.completion
        return times
    }

    /// What the service can promise on the completions topic once every
    /// request earlier than `requestsFrontier` has been served: a request
    /// still to come arrives no earlier, starts no earlier than the first
    /// replica frees up, and takes at least `minimumResponse`.
    package func promise(requestsFrontier: VirtualNanoseconds) -> VirtualNanoseconds {
        guard requestsFrontier < .max else { return .max }
        return Swift.max(requestsFrontier, free.min() ?? .min).saturatingAdd(minimumResponse)
    }
}
