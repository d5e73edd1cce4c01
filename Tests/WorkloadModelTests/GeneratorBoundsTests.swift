import Testing
@testable import WorkloadModel

/// The generator's memory ceilings and the clock's bound: a run
/// that reaches one stops cleanly, in time order, with every session ended,
/// and says which bound it was.
@Suite struct GeneratorBoundsTests {
    /// Every session that started also ended, after its requests, and time never went back.
    func expectWellFormed(_ stream: [Event]) {
        var open = Set<UInt64>()
        var last: VirtualNanoseconds = 0
        for event in stream {
            #expect(event.time >= last)
            last = event.time
            if let started = event.started { open.insert(started.sessionID) }
            if let request = event.request { #expect(open.contains(request.sessionID)) }
            if let ended = event.ended { #expect(open.remove(ended.sessionID) != nil) }
        }
        #expect(open.isEmpty)
    }

    @Test func openSessionCeilingStopsTheRunAtTheArrivalThatWouldPassIt() {
        // One arrival a second, every session conversational with follow-ups 100 s apart.
        var spec = WorkloadSpec(totalDuration: 1000, seed: 1, profiles: [profile("a", conversational: 1, continuation: 0.9)])
        spec.profiles[0].followUp = Distribution(.constant(100))
        spec.limits.maxOpenSessions = 10
        var engine = WorkloadEngine(spec: spec)
        var stream: [Event] = []
        while let event = engine.next() { stream.append(event) }
        #expect(engine.boundReached == .openSessions(limit: 10, time: 11_000_000_000))
        #expect(stream.compactMap(\.started).count == 10)
        #expect(stream.compactMap(\.ended).allSatisfy { $0.reason == .shutdown && $0.time == 11_000_000_000 })
        #expect(stream.compactMap(\.request).allSatisfy { $0.sentAt < 11_000_000_000 })
        expectWellFormed(stream)
    }

    @Test func inFlightCeilingStopsTheRunAtTheSendThatWouldPassIt() {
        let slow = NetworkLink(latencySeconds: 1000, bandwidthBitsPerSecond: 1e9)
        var spec = WorkloadSpec(totalDuration: 100, seed: 1, network: slow, profiles: [profile("a")])
        spec.limits.maxInFlightRequests = 5
        var engine = WorkloadEngine(spec: spec)
        var stream: [Event] = []
        while let event = engine.next() { stream.append(event) }
        #expect(engine.boundReached == .inFlightRequests(limit: 5, time: 6_000_000_000))
        #expect(stream.compactMap(\.request).count == 5)
        expectWellFormed(stream)
    }

    @Test func theDefaultsNeverTriggerOnTheExample() {
        let spec = WorkloadSpec(totalDuration: 300, seed: 42, profiles: [profile("a", gap: Distribution(.exponential(rate: 5)), conversational: 0.6)])
        var engine = WorkloadEngine(spec: spec)
        while engine.next() != nil {}
        #expect(engine.boundReached == nil)
    }

    /// Entries beyond the clock's bound in a run whose total_duration ends it
    /// earlier: the run stops as before (at its last event), but reached no bound.
    @Test func aBoundedRunWithEntriesBeyondTheClockReachesNoBound() {
        let link = NetworkLink(latencySeconds: 0, bandwidthBitsPerSecond: 1)
        let spec = WorkloadSpec(totalDuration: 5e8, seed: 1, network: link, profiles: [
            profile("a", gap: Distribution(.constant(1e8)), prompt: Distribution(.constant(1e8), isInt: true)),
        ])
        var engine = WorkloadEngine(spec: spec)
        var stream: [Event] = []
        while let event = engine.next() { stream.append(event) }
        #expect(engine.boundReached == nil)
        #expect(stream.compactMap(\.started).count == 4)  // arrivals at 1, 2, 3 and 4 x 10^8 s
        #expect(stream.compactMap(\.ended).allSatisfy { $0.reason == .horizon })
        expectWellFormed(stream)
    }

    @Test func aRunForeverEndsAtTheClocksBoundWithoutWrapping() throws {
        // Arrivals every 10^8 s; each 10^8-token prompt takes 1.6e9 s on a 1 bps link,
        // so no request ever arrives inside the clock's range.
        let link = NetworkLink(latencySeconds: 0, bandwidthBitsPerSecond: 1)
        let spec = WorkloadSpec(seed: 1, network: link, profiles: [
            profile("a", gap: Distribution(.constant(1e8)), prompt: Distribution(.constant(1e8), isInt: true)),
        ])
        var engine = WorkloadEngine(spec: spec)
        var stream: [Event] = []
        while let event = engine.next() {
            stream.append(event)
            if stream.count > 1000 { break }
        }
        #expect(stream.count == 20)  // ten sessions started and ended, no request
        #expect(engine.boundReached == .virtualTime(time: GeneratorLimits.virtualTimeLimit))
        #expect(stream.allSatisfy { $0.time <= GeneratorLimits.virtualTimeLimit })
        #expect(stream.compactMap(\.ended).allSatisfy { $0.reason == .horizon })
        expectWellFormed(stream)

        // Anchored at the latest allowed start, the last instant is still a date in 2261.
        let latestStart = CivilTime.days(year: 2230, month: 1, day: 1) * 86_400 * 1_000_000_000
        let encoder = EventEncoder(runID: "r", seed: 1, startUnixNanoseconds: latestStart, profileNames: ["a"])
        var writer = ByteWriter(capacity: 1024)
        encoder.encode(try #require(stream.last), into: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self).contains("\"time\":\"2261-09-"))
    }
}
