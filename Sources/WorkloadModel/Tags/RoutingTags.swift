/// The routing tags of one request, as indices into its profile's lists
/// (`nil`: that tag is not configured for the profile).
package struct RoutingTags: Sendable, Equatable {
    /// 1-based: `tenant-<n>`.
    package var tenant: Int?
    /// Index into the profile's `models`.
    package var model: Int?
    /// Whether the profile has `adapters` (then `adapter` may still be nil:
    /// this request's owner uses the base model).
    package var adaptersConfigured = false
    /// 1-based: `adapter-<n>`.
    package var adapter: Int?
    /// Index into the profile's `slo_classes`.
    package var sloClass: Int?
    package var reasoningTokens: Int64?
    package var imageCount: Int64?
    package var imageTokens: Int64?

    package init() {}
}

/// A 1-based rank drawn uniformly or by Zipf's law.
struct RankLaw: Sendable {
    let count: UInt64
    let zipf: ZipfLaw?

    init(count: Int, popularity: PrefixPopularity) {
        self.count = UInt64(count)
        if case .zipf(let s) = popularity { zipf = ZipfLaw(exponent: s, count: Double(count)) } else { zipf = nil }
    }

    func draw(using rng: inout Xoshiro256) -> Int {
        if let zipf { return Int(zipf.draw(using: &rng)) }
        return Int(rng.nextBelow(count)) + 1
    }
}

/// A choice among weighted names: the cumulative shares, the last exactly 1.
struct WeightedChoice: Sendable {
    let cumulative: [Double]

    init(_ weights: [Double]) {
        let total = weights.reduce(0, +)
        var running = 0.0
        var cumulative = weights.map { weight -> Double in
            running += weight / total
            return running
        }
        if !cumulative.isEmpty { cumulative[cumulative.count - 1] = 1 }
        self.cumulative = cumulative
    }

    /// The first index whose cumulative share exceeds a uniform draw (the last when none does), found by
    /// bisection: a pool's listed items can number a million. A zero weight never wins: its cumulative share
    /// equals the one before.
    @inline(__always)
    func draw(using rng: inout Xoshiro256) -> Int {
        let u = rng.nextUnit()
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

/// One profile's tags, prepared: laws built and stream identities hashed.
final class ProfileTagger: Sendable {
    let spec: RoutingTagsSpec
    let tenants: RankLaw?
    let adapters: RankLaw?
    let models: WeightedChoice?
    let sloClasses: WeightedChoice?
    // One identity per tag, so that each tag's draws are independent of the
    // others and of everything the engine draws.
    let tenantIdentity: StreamIdentity
    let modelIdentity: StreamIdentity
    let adapterIdentity: StreamIdentity
    let sloIdentity: StreamIdentity
    let reasoningIdentity: StreamIdentity
    let imageIdentity: StreamIdentity

    init(profile: String, spec: RoutingTagsSpec) {
        self.spec = spec
        tenants = spec.tenants.map { RankLaw(count: $0.count, popularity: $0.popularity) }
        adapters = spec.adapters.map { RankLaw(count: $0.count, popularity: $0.popularity) }
        models = spec.models.isEmpty ? nil : WeightedChoice(spec.models.map(\.weight))
        sloClasses = spec.sloClasses.isEmpty ? nil : WeightedChoice(spec.sloClasses.map(\.weight))
        tenantIdentity = StreamIdentity("tag-tenant", profile)
        modelIdentity = StreamIdentity("tag-model", profile)
        adapterIdentity = StreamIdentity("tag-adapter", profile)
        sloIdentity = StreamIdentity("tag-slo-class", profile)
        reasoningIdentity = StreamIdentity("tag-reasoning", profile)
        imageIdentity = StreamIdentity("tag-images", profile)
    }

    func tags(client: Int32, session: UInt64, turn: Int32, newInput: Int64, output: Int64, seed: UInt64) -> RoutingTags {
        func stream(_ identity: StreamIdentity) -> Xoshiro256 { Xoshiro256(seed: identity.combined(with: seed)) }
        var tags = RoutingTags()
        if let tenants {
            var rng = stream(tenantIdentity.appending(UInt64(UInt32(bitPattern: client))))
            tags.tenant = tenants.draw(using: &rng)
        }
        if let models {
            var rng = stream(modelIdentity.appending(session))
            tags.model = models.draw(using: &rng)
        }
        if let adapters, let config = spec.adapters {
            tags.adaptersConfigured = true
            let owner: StreamIdentity
            switch config.per {
            // Parsing requires `tenants` with `per: tenant`.
            case .tenant: owner = adapterIdentity.appending("tenant").appending(UInt64(tags.tenant ?? 0))
            case .session: owner = adapterIdentity.appending("session").appending(session)
            case .request: owner = adapterIdentity.appending("request").appending(session).appending(UInt64(turn))
            }
            var rng = stream(owner)
            if rng.nextUnit() < config.probability { tags.adapter = adapters.draw(using: &rng) }
        }
        if let sloClasses {
            var rng = stream(sloIdentity.appending(session))
            tags.sloClass = sloClasses.draw(using: &rng)
        }
        if let reasoning = spec.reasoningTokens {
            var rng = stream(reasoningIdentity.appending(session).appending(UInt64(turn)))
            // Never above the output: parsing allows a distribution that could
            // exceed it only with `reasoning_tokens_clamp: output_tokens`.
            let drawn = Int64(Swift.min(reasoning.sample(using: &rng), 1e18).rounded())
            tags.reasoningTokens = Swift.min(drawn, output)
        }
        if let images = spec.images {
            var rng = stream(imageIdentity.appending(session).appending(UInt64(turn)))
            let count = Int64(Swift.min(images.count.sample(using: &rng), 1e9).rounded())
            let perImage = Swift.max(1, Int64(images.tokensPerImage.sample(using: &rng)))
            // Images are part of the turn's new input: as many as fit in it.
            let fitting = Swift.min(count, newInput / perImage)
            tags.imageCount = fitting
            tags.imageTokens = fitting * perImage
        }
        return tags
    }
}

/// Draws and writes the routing tags of request events. Tags are a pure
/// function of the run seed and the request's identities (profile, client,
/// session ID, turn) and of its token counts, so every process, shard and
/// resume agrees on them without carrying state.
package struct RoutingTagger: Sendable {
    let seed: UInt64
    /// Per profile, in the engine's order; nil for a profile without tags.
    let profiles: [ProfileTagger?]
    let fields: [RoutingTagFields?]

    /// Nil when no profile of `spec` has tags (the stream is then unchanged).
    package init?(spec: WorkloadSpec) {
        guard spec.profiles.contains(where: { !$0.tags.isEmpty }) else { return nil }
        seed = spec.seed
        profiles = spec.profiles.map { $0.tags.isEmpty ? nil : ProfileTagger(profile: $0.name, spec: $0.tags) }
        fields = spec.profiles.map { $0.tags.isEmpty ? nil : RoutingTagFields($0.tags) }
    }

    /// The tags of a request; nil when its profile has none.
    package func tags(for e: RequestEvent) -> RoutingTags? {
        guard Int(e.profile) < profiles.count, let tagger = profiles[Int(e.profile)] else { return nil }
        return tagger.tags(client: e.client, session: e.sessionID, turn: e.turn, newInput: e.newInputTokens,
                           output: e.outputTokens, seed: seed)
    }

    /// The profile's tag configuration (names, SLO targets); nil without tags.
    package func spec(ofProfile profile: Int32) -> RoutingTagsSpec? {
        Int(profile) < profiles.count ? profiles[Int(profile)]?.spec : nil
    }

    /// The request's model name, when its profile has `models`.
    package func modelName(for e: RequestEvent) -> String? {
        guard let model = tags(for: e)?.model, let spec = spec(ofProfile: e.profile) else { return nil }
        return spec.models[model].name
    }

    /// Appends the request's tag fields (`,"tenant":"tenant-3",...`), if any.
    package func encode(_ e: RequestEvent, into writer: inout ByteWriter) {
        guard let tags = tags(for: e), let fields = fields[Int(e.profile)] else { return }
        fields.encode(tags, into: &writer)
    }
}
