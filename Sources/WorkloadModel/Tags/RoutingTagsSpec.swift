/// A name chosen by weight (a model, an SLO class).
package struct WeightedName: Sendable, Equatable {
    package var name: String
    package var weight: Double

    package init(name: String, weight: Double) {
        self.name = name
        self.weight = weight
    }
}

/// Who keeps an adapter: every request of a tenant, of a session, or each
/// request on its own (what every load generator we know of does).
package enum AdapterScope: String, Sendable, Equatable, CaseIterable {
    case tenant
    case session
    case request
}

/// `tenants`: each client belongs to one of `count` tenants, `tenant-1`
/// (the most popular under Zipf) to `tenant-<count>`.
package struct TenantTags: Sendable, Equatable {
    package var count: Int
    package var popularity: PrefixPopularity

    package init(count: Int, popularity: PrefixPopularity) {
        self.count = count
        self.popularity = popularity
    }
}

/// `adapters`: with `probability`, the owner (`per`) uses one of `count`
/// LoRA adapters, `adapter-1` to `adapter-<count>`, drawn by `popularity`.
package struct AdapterTags: Sendable, Equatable {
    package var count: Int
    package var popularity: PrefixPopularity
    package var per: AdapterScope
    package var probability: Double

    package init(count: Int, popularity: PrefixPopularity, per: AdapterScope, probability: Double) {
        self.count = count
        self.popularity = popularity
        self.per = per
        self.probability = probability
    }
}

/// An SLO class: its share and optional targets in whole milliseconds.
package struct SLOClass: Sendable, Equatable {
    package var name: String
    package var weight: Double
    package var ttftMilliseconds: Int64?
    package var tpotMilliseconds: Int64?

    package init(name: String, weight: Double, ttftMilliseconds: Int64? = nil, tpotMilliseconds: Int64? = nil) {
        self.name = name
        self.weight = weight
        self.ttftMilliseconds = ttftMilliseconds
        self.tpotMilliseconds = tpotMilliseconds
    }
}

/// `images`: how many images a request carries and the tokens of each
/// (one draw per request: a request's images share a resolution).
package struct ImageTags: Sendable, Equatable {
    package var count: Distribution
    package var tokensPerImage: Distribution

    package init(count: Distribution, tokensPerImage: Distribution) {
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
package struct RoutingTagsSpec: Sendable, Equatable {
    package var tenants: TenantTags?
    /// Drawn per session.
    package var models: [WeightedName] = []
    package var adapters: AdapterTags?
    /// Drawn per session.
    package var sloClasses: [SLOClass] = []
    /// Tokens of `output_tokens` spent reasoning, per request.
    package var reasoningTokens: Distribution?
    /// `reasoning_tokens_clamp: output_tokens`: a draw above the request's
    /// output is lowered to it. Without it the configuration must show that
    /// no draw can exceed the smallest output.
    package var clampReasoningToOutput = false
    /// Image tokens, carved out of the turn's `new_input_tokens`.
    package var images: ImageTags?

    package init() {}

    package var isEmpty: Bool {
        tenants == nil && models.isEmpty && adapters == nil && sloClasses.isEmpty && reasoningTokens == nil && images == nil
    }
}
