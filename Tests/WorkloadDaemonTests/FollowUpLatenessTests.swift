import Testing
import WorkloadConfig
import WorkloadModel

/// Real time, in process: a completion handed over after its follow-up was
/// due makes the follow-up go at once, counted late, and the engine says by
/// how much its send missed the due time (what the pacer cannot see); one
/// handed over in time is neither.
@Suite struct FollowUpLatenessTests {
    /// The engine with everything before `until` generated, as the real-time loop has it.
    static func engine(until seconds: Double) throws -> (WorkloadEngine, [RequestEvent]) {
        var engine = WorkloadEngine(spec: try closedLoopConfiguration(duration: 600, rate: 0.5).workload)
        engine.generateOnly(before: Int64(seconds * 1e9))
        var requests: [RequestEvent] = []
        while let event = engine.next() { if let request = event.request { requests.append(request) } }
        return (engine, requests)
    }

    /// Hands over a completion for each request at `at(request)`, then lets virtual time run to `seconds`.
    static func answer(_ engine: inout WorkloadEngine, _ requests: [RequestEvent], until seconds: Double,
                       at: (RequestEvent) -> Int64 = { $0.time + 1_000_000_000 }) -> [RequestEvent] {
        for request in requests {
            #expect(engine.deliverCompletion(session: request.sessionID, turn: request.turn, time: at(request),
                                             outputTokens: request.outputTokens, status: .ok) == .accepted)
        }
        // Virtual now moves on in 10 ms steps, as the real-time loop moves it with the wall clock.
        var followUps: [RequestEvent] = []
        var now = engine.virtualTime
        while now < Int64(seconds * 1e9) {
            now += 10_000_000
            engine.generateOnly(before: now)
            while let event = engine.next() { if let request = event.request, request.turn == 2 { followUps.append(request) } }
        }
        return followUps
    }

    @Test func aCompletionAfterItsFollowUpWasDueSendsItAtOnceCountedLate() throws {
        var (engine, requests) = try Self.engine(until: 300)
        let first = Array(requests.prefix(5))
        let lastTime = engine.virtualTime
        #expect(first.count == 5 && first.allSatisfy { $0.time + 60_000_000_000 < lastTime })
        let followUps = Self.answer(&engine, first, until: 310)
        #expect(!followUps.isEmpty)
        #expect(engine.feedbackCounts.lateFollowUps == followUps.count)
        for followUp in followUps {
            let answered = try #require(first.first { $0.sessionID == followUp.sessionID })
            let lag = engine.followUpSendLag(session: followUp.sessionID, turn: 2)
            // Sent at the engine's time then, not at completion + think time: the lag is what it missed by.
            #expect(followUp.sentAt >= lastTime && lag > 0 && lag <= followUp.delay, "lag \(lag), delay \(followUp.delay)")
            #expect(followUp.sentAt - lag >= answered.time + 1_000_000_000, "due no earlier than the completion")
            #expect(engine.followUpSendLag(session: followUp.sessionID, turn: 2) == 0, "asked once")
        }
    }

    @Test func aCompletionInTimeIsNeitherLateNorLagged() throws {
        var (engine, requests) = try Self.engine(until: 20)
        let first = requests.filter { $0.turn == 1 }
        #expect(first.count >= 3)
        // Handed over at virtual 20 s, each completing at 21 s: its follow-up is due after now.
        let followUps = Self.answer(&engine, first, until: 400) { _ in 21_000_000_000 }
        #expect(!followUps.isEmpty)
        #expect(engine.feedbackCounts.lateFollowUps == 0)
        for followUp in followUps {
            #expect(engine.followUpSendLag(session: followUp.sessionID, turn: 2) == 0)
        }
    }
}
