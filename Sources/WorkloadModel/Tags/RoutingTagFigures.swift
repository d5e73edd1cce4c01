import RealModule

/// Expected routing-tag figures of a profile (what `validate` prints): the
/// shares of requests by tenant, model, adapter and SLO class, and the
/// expected number of distinct adapters in an hour.
package struct RoutingTagFigures: Sendable, Equatable {
    package var profile: String
    /// The most popular tenants first (at most 5), with their share of requests.
    package var tenants: [(name: String, share: Double)] = []
    package var models: [(name: String, share: Double)] = []
    package var sloClasses: [(name: String, share: Double)] = []
    /// The share of requests with an adapter, and the most popular adapters.
    package var adapterShare: Double?
    package var adapters: [(name: String, share: Double)] = []
    /// Expected distinct adapters among an hour's requests.
    package var distinctAdaptersPerHour: Double?

    package static func == (a: RoutingTagFigures, b: RoutingTagFigures) -> Bool {
        a.profile == b.profile && a.adapterShare == b.adapterShare && a.distinctAdaptersPerHour == b.distinctAdaptersPerHour
            && a.tenants.map(\.share) == b.tenants.map(\.share) && a.models.map(\.share) == b.models.map(\.share)
    }

    /// P(rank k) for k = 1...count under a popularity.
    static func probabilities(count: Int, popularity: PrefixPopularity) -> [Double] {
        switch popularity {
        case .uniform: return [Double](repeating: 1 / Double(count), count: count)
        case .zipf(let s):
            let law = ZipfLaw(exponent: s, count: Double(count))
            return (1...count).map { law.probability(of: Double($0)) }
        }
    }

    static func weighted(_ items: [WeightedName]) -> [(name: String, share: Double)] {
        let total = items.reduce(0) { $0 + $1.weight }
        return items.map { ($0.name, $0.weight / total) }
    }

    /// Expected distinct adapters in an hour of the profile's requests.
    ///
    /// Per request (or session) each of the hour's n requests (sessions)
    /// carries adapter k with probability p·q_k: Σ_k 1 − (1 − p·q_k)^n. Per
    /// tenant, the adapters are those of the tenants active in the hour: with
    /// K clients active, tenant t is active with a_t = 1 − (1 − r_t)^K and
    /// owns adapter k with p·q_k independently, so adapter k goes unused with
    /// Π_t (1 − a_t·p·q_k) ≈ exp(−q_k·p·Σ_t a_t) (every q_k small).
    static func distinctAdapters(_ adapters: AdapterTags, tenants: TenantTags?, sessions: Double, requests: Double, clients: Int) -> Double {
        let q = probabilities(count: adapters.count, popularity: adapters.popularity)
        let p = adapters.probability
        switch adapters.per {
        case .request, .session:
            let n = adapters.per == .request ? requests : sessions
            return q.reduce(0) { $0 - Double.expMinusOne(n * Double.log(onePlus: -p * $1)) }
        case .tenant:
            guard let tenants else { return 0 }
            let c = Double(clients)
            let active = c * -Double.expMinusOne(sessions * Double.log(onePlus: -1 / c))
            let r = probabilities(count: tenants.count, popularity: tenants.popularity)
            let owners = p * r.reduce(0) { $0 - Double.expMinusOne(active * Double.log(onePlus: -$1)) }
            return q.reduce(0) { $0 - Double.expMinusOne(-$1 * owners) }
        }
    }
}

extension WorkloadSpec {
    /// The routing-tag figures of every profile with tags.
    package var routingTagFigures: [RoutingTagFigures] {
        let figures = self.figures
        var result: [RoutingTagFigures] = []
        for (index, profile) in profiles.enumerated() where !profile.tags.isEmpty {
            let tags = profile.tags
            var row = RoutingTagFigures(profile: profile.name)
            if let tenants = tags.tenants {
                let r = RoutingTagFigures.probabilities(count: tenants.count, popularity: tenants.popularity)
                row.tenants = r.prefix(5).enumerated().map { ("tenant-\($0.offset + 1)", $0.element) }
            }
            if !tags.models.isEmpty { row.models = RoutingTagFigures.weighted(tags.models) }
            if !tags.sloClasses.isEmpty { row.sloClasses = RoutingTagFigures.weighted(tags.sloClasses.map { WeightedName(name: $0.name, weight: $0.weight) }) }
            if let adapters = tags.adapters {
                row.adapterShare = adapters.probability
                let q = RoutingTagFigures.probabilities(count: adapters.count, popularity: adapters.popularity)
                row.adapters = q.prefix(5).enumerated().map { ("adapter-\($0.offset + 1)", adapters.probability * $0.element) }
                let f = figures.profiles[index]
                row.distinctAdaptersPerHour = RoutingTagFigures.distinctAdapters(
                    adapters, tenants: tags.tenants, sessions: f.sessionRate * 3600, requests: f.requestRate * 3600, clients: profile.numClients)
            }
            result.append(row)
        }
        return result
    }
}
