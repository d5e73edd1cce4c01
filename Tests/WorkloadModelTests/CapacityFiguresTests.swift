import Testing
import TestSupport
@testable import WorkloadModel

/// `validate`'s load figures against generated streams: the time-average of
/// open sessions (Little's law) and a link's busy fraction (utilisation).
@Suite struct CapacityFiguresTests {
    @Test func expectedOpenSessionsAndUtilisationMatchAGeneratedStream() {
        // The example's profile with exponential follow-ups (mean 5 s) on a slow link
        // (utilisation 0.22), so transit counts in the lifetime; queueing, which
        // the figure leaves out, adds about 0.05% here.
        let link = NetworkLink(latencySeconds: 0.5, bandwidthBitsPerSecond: 1e6)
        var spec = WorkloadSpec(totalDuration: 20_000, seed: 5, network: link, profiles: [
            profile("chat", gap: Distribution(.exponential(rate: 5)), prompt: Distribution(.logNormal(mu: 4.7, sigma: 0.5), isInt: true),
                    maxOutput: Distribution(.uniform(low: 100, high: 500), isInt: true), conversational: 0.6),
        ])
        spec.profiles[0].followUp = Distribution(.exponential(rate: 0.2))
        let load = spec.capacityFigures(spec.figures)

        // Poisson arrivals see time averages (PASTA): the open sessions an arrival
        // finds, averaged, estimate the time-average. Batch means give the error.
        let batches = 20
        let warmUp: VirtualNanoseconds = 200_000_000_000
        let span = (20_000_000_000_000 - warmUp) / VirtualNanoseconds(batches)
        var seen = [Double](repeating: 0, count: batches), arrivals = [Double](repeating: 0, count: batches)
        var bits = [Double](repeating: 0, count: batches)
        var engine = WorkloadEngine(spec: spec)
        while let event = engine.next() {
            guard event.time >= warmUp, event.time < 20_000_000_000_000 else { continue }
            let batch = Int((event.time - warmUp) / span)
            if event.started != nil {
                seen[batch] += Double(engine.activeSessions - 1)  // those open before this one
                arrivals[batch] += 1
            }
            if let request = event.request { bits[batch] += Double(request.payloadBytes) * 8 }
        }
        let open = GoodnessOfFit.sampleMoments(zip(seen, arrivals).map { $0 / $1 })
        #expect(abs(open.mean - load.expectedOpenSessions) < 4 * open.meanError,
                "open sessions \(open.mean) ± \(open.meanError), expected \(load.expectedOpenSessions)")
        let busy = GoodnessOfFit.sampleMoments(bits.map { $0 / (Double(span) / 1e9) / link.bandwidthBitsPerSecond })
        #expect(abs(busy.mean - load.links[0].utilisation) < 4 * busy.meanError,
                "utilisation \(busy.mean) ± \(busy.meanError), expected \(load.links[0].utilisation)")
    }

    @Test func aLinkOfItsOwnCarriesOnlyItsProfile() {
        let own = NetworkLink(latencySeconds: 0, bandwidthBitsPerSecond: 1e6)
        let spec = WorkloadSpec(seed: 1, bytesPerToken: 2, profiles: [
            profile("shared"), profile("own", network: own),
        ])
        let load = spec.capacityFigures(spec.figures)
        #expect(load.links.count == 2)
        #expect(load.links[1].ownerProfile == 1 && load.links[1].profiles == [1])
        // Half a session a second each, one turn of 100 tokens x 2 bytes x 8 bits.
        #expect(abs(load.links[1].utilisation - 0.5 * 1600 / 1e6) < 1e-12)
        #expect(abs(load.links[0].utilisation - 0.5 * 1600 / 10e9) < 1e-15)
    }
}
