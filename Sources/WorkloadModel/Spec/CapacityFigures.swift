/// The load a configuration puts on its links and on the generator's memory,
/// derived without generating: what `validate` prints and checks.
package struct CapacityFigures: Sendable, Equatable {
    /// One client-to-service link, numbered as the engine numbers them: 0 is
    /// `workload.network`, then one per profile with a link of its own.
    package struct Link: Sendable, Equatable {
        /// The profile owning the link, or nil for the shared `workload.network`.
        package var ownerProfile: Int?
        /// Indices of the profiles whose requests cross it.
        package var profiles: [Int]
        package var requestRate: Double
        /// Mean request payload in bytes over the requests crossing it.
        package var meanPayloadBytes: Double
        package var bandwidthBitsPerSecond: Double
        /// Offered load over capacity: requests/s x mean payload x 8 / bandwidth.
        /// At 1 or more the link's FIFO queue grows without bound.
        package var utilisation: Double
    }

    package var links: [Link]
    /// Little's law: new sessions/s x mean session lifetime (from turn 1's
    /// send to the arrival of the last turn).
    package var expectedOpenSessions: Double
    /// Requests/s x (latency + mean transfer time), without queueing on the link.
    package var expectedInFlightRequests: Double
}

extension WorkloadSpec {
    /// The load figures, from the expected figures (`figures`, passed in
    /// because it samples capped output means).
    package func capacityFigures(_ figures: WorkloadFigures) -> CapacityFigures {
        var links = [CapacityFigures.Link(ownerProfile: nil, profiles: [], requestRate: 0, meanPayloadBytes: 0,
                                      bandwidthBitsPerSecond: network.bandwidthBitsPerSecond, utilisation: 0)]
        var bitsPerSecond = [0.0]
        var openSessions = 0.0
        var inFlight = 0.0
        for (index, profile) in profiles.enumerated() {
            let f = figures.profiles[index]
            var link = 0
            if let own = profile.network {
                links.append(CapacityFigures.Link(ownerProfile: index, profiles: [], requestRate: 0, meanPayloadBytes: 0,
                                              bandwidthBitsPerSecond: own.bandwidthBitsPerSecond, utilisation: 0))
                bitsPerSecond.append(0)
                link = links.count - 1
            }
            let path = profile.network ?? network
            links[link].profiles.append(index)
            guard f.requestRate > 0 else { continue }  // a profile with no share adds nothing (and 0 x inf is nan)
            let payload = f.meanPromptTokensPerRequest * bytesPerToken
            links[link].requestRate += f.requestRate
            bitsPerSecond[link] += f.requestRate * payload * 8
            let transit = path.latencySeconds + payload * 8 / path.bandwidthBitsPerSecond
            let followUps = f.meanTurnsPerSession - 1
            var waiting = followUps > 0 ? followUps * profile.followUp.mean : 0
            if profile.followUpAfter == .completion, let model = serviceModel(ofProfile: index) {
                // Completion-anchored: each turn also waits for its response, the last one included.
                waiting += f.meanTurnsPerSession * model.meanResponseSeconds(outputTokens: f.meanOutputTokens,
                                                                             uncachedTokens: f.meanFirstTurnPromptTokens)
            }
            openSessions += f.sessionRate * (waiting + transit)
            inFlight += f.requestRate * transit
        }
        for index in links.indices {
            let rate = links[index].requestRate
            links[index].meanPayloadBytes = rate > 0 ? bitsPerSecond[index] / 8 / rate : 0
            links[index].utilisation = bitsPerSecond[index] / links[index].bandwidthBitsPerSecond
        }
        return CapacityFigures(links: links, expectedOpenSessions: openSessions, expectedInFlightRequests: inFlight)
    }
}
