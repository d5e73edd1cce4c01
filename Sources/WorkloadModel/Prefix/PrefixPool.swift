/// How a pool's items are chosen: every item equally likely, or Zipf's law
/// on the item ranks (item 0 the most popular).
package enum PrefixPopularity: Sendable, Equatable {
    case uniform
    case zipf(exponent: Double)
}

/// How a pool's items get their lengths: one draw per item from a law (on
/// the item's own stream), or listed one by one (item i the i-th entry), so
/// that a pool a trace shows item by item is written as it was seen.
package enum PrefixLengths: Sendable, Equatable {
    case drawn(Distribution)
    case listed([Int64])
}

/// A named pool of shared prompt prefixes: `items` distinct prefixes, each
/// with its length (`tokens`) and chosen by `popularity`, or with explicit
/// `weights` per item (then `popularity` is not used).
package struct PrefixPool: Sendable, Equatable {
    package var name: String
    package var items: Int
    package var tokens: PrefixLengths
    package var popularity: PrefixPopularity
    /// Explicit relative weights, one per item (`item_weights`); nil: `popularity`.
    package var weights: [Double]?

    /// At most this many items per pool (their lengths are a table).
    package static let maximumItems = 1_000_000
    /// At most this many pools (an event names its items in 32 bits each).
    package static let maximumPools = 4096
    /// The longest listed item (`item_tokens`), as for a drawn length.
    package static let maximumItemTokens: Int64 = 1_000_000_000

    package init(name: String, items: Int, tokens: Distribution, popularity: PrefixPopularity) {
        self.init(name: name, items: items, lengths: .drawn(tokens), popularity: popularity)
    }

    package init(name: String, items: Int, lengths: PrefixLengths, popularity: PrefixPopularity, weights: [Double]? = nil) {
        self.name = name
        self.items = items
        self.tokens = lengths
        self.popularity = popularity
        self.weights = weights
    }
}

/// Whose item a prefix is: one per client id (stable across its sessions),
/// or one per session.
package enum PrefixScope: String, Sendable, Equatable, CaseIterable {
    case client
    case session
}

/// One entry of a profile's `prefixes`: a pool (index into the workload's
/// `prefixPools`), whose item it is, and the share of sessions (per
/// `session`) or clients (per `client`) that carry it at all.
package struct PrefixUse: Sendable, Equatable {
    package var pool: Int
    package var per: PrefixScope
    /// 1: every session (or client) has an item of the pool; below 1, a
    /// Bernoulli draw on the item's own stream decides first.
    package var probability: Double

    /// A profile lists at most this many prefixes (kept inline in each event).
    package static let maximumPerProfile = 4

    package init(pool: Int, per: PrefixScope, probability: Double = 1) {
        self.pool = pool
        self.per = per
        self.probability = probability
    }
}
