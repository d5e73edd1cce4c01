/// How a pool's items are chosen: every item equally likely, or Zipf's law
/// on the item ranks (item 0 the most popular).
public enum PrefixPopularity: Sendable, Equatable {
    case uniform
    case zipf(exponent: Double)
}

/// A named pool of shared prompt prefixes: `items` distinct
/// prefixes, each with a length drawn once from `tokens`.
public struct PrefixPool: Sendable, Equatable {
    public var name: String
    public var items: Int
    public var tokens: Distribution
    public var popularity: PrefixPopularity

    /// At most this many items per pool (their lengths are a table).
    public static let maximumItems = 1_000_000
    /// At most this many pools (an event names its items in 32 bits each).
    public static let maximumPools = 4096

    public init(name: String, items: Int, tokens: Distribution, popularity: PrefixPopularity) {
        self.name = name
        self.items = items
        self.tokens = tokens
        self.popularity = popularity
    }
}

/// Whose item a prefix is: one per client id (stable across its sessions),
/// or one per session.
public enum PrefixScope: String, Sendable, Equatable, CaseIterable {
    case client
    case session
}

/// One entry of a profile's `prefixes`: a pool (index into the workload's
/// `prefixPools`), whose item it is, and the share of sessions (per
/// `session`) or clients (per `client`) that carry it at all.
public struct PrefixUse: Sendable, Equatable {
    public var pool: Int
    public var per: PrefixScope
    /// 1: every session (or client) has an item of the pool; below 1, a
    /// Bernoulli draw on the item's own stream decides first.
    public var probability: Double

    /// A profile lists at most this many prefixes (kept inline in each event).
    public static let maximumPerProfile = 4

    public init(pool: Int, per: PrefixScope, probability: Double = 1) {
        self.pool = pool
        self.per = per
        self.probability = probability
    }
}
