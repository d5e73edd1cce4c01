/// A name chosen by weight (a model, an SLO class).
public struct WeightedName: Sendable, Equatable {
    public var name: String
    public var weight: Double

    public init(name: String, weight: Double) {
        self.name = name
        self.weight = weight
    }
}

/// Who keeps an adapter: every request of a tenant, of a session, or each
/// request on its own (what every load generator we know of does).
public enum AdapterScope: String, Sendable, Equatable, CaseIterable {
    case tenant
    case session
    case request
}

/// `tenants`: each client belongs to one of `count` tenants, `tenant-1`
/// (the most popular under Zipf) to `tenant-<count>`.
public struct TenantTags: Sendable, Equatable {
    public var count: Int
    public var popularity: PrefixPopularity

    public init(count: Int, popularity: PrefixPopularity) {
        self.count = count
        self.popularity = popularity
    }
}

/// `adapters`: with `probability`, the owner (`per`) uses one of `count`
/// LoRA adapters, `adapter-1` to `adapter-<count>`, drawn by `popularity`.
public struct AdapterTags: Sendable, Equatable {
    public var count: Int
    public var popularity: PrefixPopularity
    public var per: AdapterScope
    public var probability: Double

    public init(count: Int, popularity: PrefixPopularity, per: AdapterScope, probability: Double) {
        self.count = count
        self.popularity = popularity
        self.per = per
        self.probability = probability
    }
}

/// An SLO class: its share and optional targets in whole milliseconds.
public struct SLOClass: Sendable, Equatable {
    public var name: String
    public var weight: Double
    public var ttftMilliseconds: Int64?
    public var tpotMilliseconds: Int64?

    public init(name: String, weight: Double, ttftMilliseconds: Int64? = nil, tpotMilliseconds: Int64? = nil) {
        self.name = name
        self.weight = weight
        self.ttftMilliseconds = ttftMilliseconds
        self.tpotMilliseconds = tpotMilliseconds
    }
}

/// `images`: how many images a request carries and the tokens of each
/// (one draw per request: a request's images share a resolution).
public struct ImageTags: Sendable, Equatable {
    public var count: Distribution
    public var tokensPerImage: Distribution

    public init(count: Distribution, tokensPerImage: Distribution) {
        self.count = count
        self.tokensPerImage = tokensPerImage
    }
}

/// The routing tags of one profile's requests. Every part is optional and
/// the empty value (the default) adds nothing to the stream.
///
/// Tags are drawn from streams of their own, keyed by the request's stable
/// identities (profile, client, session ID, turn), never from the session's
/// stream: configuring them moves no other draw.
public struct RoutingTagsSpec: Sendable, Equatable {
    public var tenants: TenantTags?
    /// Drawn per session.
    public var models: [WeightedName] = []
    public var adapters: AdapterTags?
    /// Drawn per session.
    public var sloClasses: [SLOClass] = []
    /// Tokens of `output_tokens` spent reasoning, per request.
    public var reasoningTokens: Distribution?
    /// `reasoning_tokens_clamp: output_tokens`: a draw above the request's
    /// output is lowered to it. Without it the configuration must show that
    /// no draw can exceed the smallest output.
    public var clampReasoningToOutput = false
    /// Image tokens, carved out of the turn's `new_input_tokens`.
    public var images: ImageTags?

    public init() {}

    public var isEmpty: Bool {
        tenants == nil && models.isEmpty && adapters == nil && sloClasses.isEmpty && reasoningTokens == nil && images == nil
    }
}
