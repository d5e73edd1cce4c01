/// How new sessions arrive (`workload.arrival_mode`).
package enum ArrivalMode: String, Sendable, Equatable, CaseIterable {
    /// One stream: each arrival picks a profile by weight, then waits an
    /// inter-arrival time drawn from that profile (the seed's behaviour).
    case mixture
    /// Each profile is its own independent stream, with the rate and share it
    /// has in mixture mode and its own inter-arrival shape.
    case superposition
}

/// Everything the model needs to generate a stream: validated, no I/O.
package struct WorkloadSpec: Sendable, Equatable {
    /// Virtual seconds; `nil` runs forever.
    package var totalDuration: Double?
    /// Cap on request events; `nil` means no cap.
    package var totalRequests: Int?
    package var seed: UInt64
    package var maxTurnsPerSession: Int
    package var accumulateConversationalTokens: Bool
    package var bytesPerToken: Double
    package var arrivalMode: ArrivalMode
    /// The link shared by every profile without a link of its own.
    package var network: NetworkLink
    package var profiles: [ClientProfile]
    /// Workload-wide load over time (`load`); `nil`: m(t) = 1.
    package var load: LoadSpec? = nil
    /// Begin the run in steady state (sessions begun before 0 in progress).
    package var warmStart = false
    /// Memory ceilings of the generator (`workload.limits`).
    package var limits = GeneratorLimits()
    /// Shared prompt prefix pools (`prefix_pools`); empty: none.
    package var prefixPools: [PrefixPool] = []
    /// `kv_blocks.block_tokens`: emit `hash_ids`; nil: none.
    package var kvBlockTokens: Int64? = nil
    /// `service_model`: modeled response times of every profile without its own; nil: none.
    package var serviceModel: ServiceModel? = nil
    /// `feedback`: completion-anchored profiles take their completions from
    /// outside (`WorkloadEngine.deliverCompletion`); nil: from the service model.
    package var externalCompletions: ExternalCompletions? = nil

    package init(
        totalDuration: Double? = nil,
        totalRequests: Int? = nil,
        seed: UInt64,
        maxTurnsPerSession: Int = 10,
        accumulateConversationalTokens: Bool = true,
        bytesPerToken: Double = 2,
        arrivalMode: ArrivalMode = .mixture,
        network: NetworkLink = NetworkLink(),
        profiles: [ClientProfile]
    ) {
        self.totalDuration = totalDuration
        self.totalRequests = totalRequests
        self.seed = seed
        self.maxTurnsPerSession = maxTurnsPerSession
        self.accumulateConversationalTokens = accumulateConversationalTokens
        self.bytesPerToken = bytesPerToken
        self.arrivalMode = arrivalMode
        self.network = network
        self.profiles = profiles
    }
}

extension WorkloadSpec {
    /// The share of new sessions of profile `index`: weight / sum of weights.
    package func share(ofProfile index: Int) -> Double {
        profiles[index].weight / profiles.reduce(0) { $0 + $1.weight }
    }

    /// Mean gap between new sessions in mixture mode, sum(share_i E[IAT_i]);
    /// its inverse R is the new-session rate of both arrival modes.
    package var meanSessionGapSeconds: Double {
        profiles.indices.reduce(0) { $0 + share(ofProfile: $1) * profiles[$1].interArrival.mean }
    }

    /// Superposition: profile i gets rate share_i * R, so its own gaps are
    /// multiplied by 1 / (share_i R E[IAT_i]). 1 for a profile with no share
    /// (it never arrives).
    package func superpositionScale(ofProfile index: Int) -> Double {
        let share = share(ofProfile: index)
        guard share > 0 else { return 1 }
        return meanSessionGapSeconds / (share * profiles[index].interArrival.mean)
    }
}
