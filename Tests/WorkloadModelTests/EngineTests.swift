import Testing
@testable import WorkloadModel

@Suite struct EngineTests {
    @Test func streamIsOrderedNumberedAndPerSessionComplete() {
        let spec = WorkloadSpec(
            totalDuration: 600, seed: 5, maxTurnsPerSession: 6,
            profiles: [
                profile("chat", weight: 2, gap: Distribution(.exponential(rate: 4)),
                        prompt: Distribution(.logNormal(mean: 100, std: 50), isInt: true),
                        followUp: Distribution(.exponential(rate: 0.5)), conversational: 0.7),
                profile("code", gap: Distribution(.gamma(shape: 0.5, scale: 0.5)),
                        followUp: Distribution(.constant(0.001)), conversational: 0.5, continuation: 0.9,
                        network: NetworkLink(latencySeconds: 0.01, bandwidthBitsPerSecond: 1e6)),
            ])
        let stream = events(spec)
        #expect(stream.count > 5000)
        var lastTime: VirtualNanoseconds = 0
        var state: [UInt64: (turns: Int32, ended: Bool)] = [:]
        for (index, event) in stream.enumerated() {
            #expect(event.seq == UInt64(index))
            #expect(event.time >= lastTime)
            lastTime = event.time
            switch event {
            case .sessionStarted(let e):
                #expect(state[e.sessionID] == nil)
                state[e.sessionID] = (0, false)
            case .request(let e):
                let current = state[e.sessionID]
                #expect(current != nil && current!.ended == false)
                #expect(e.turn == (current?.turns ?? -1) + 1)
                #expect(e.time >= e.sentAt)
                state[e.sessionID]?.turns = e.turn
            case .sessionEnded(let e):
                #expect(state[e.sessionID]?.ended == false)
                #expect(state[e.sessionID]?.turns == e.turns)
                #expect(e.turns >= 1 && e.turns <= 6)
                state[e.sessionID]?.ended = true
            case .completion:
                Issue.record("a completion without a service model")
            }
        }
        #expect(state.values.allSatisfy { $0.ended })
    }

    @Test func tokensAccumulateTurnByTurn() {
        // Accumulating turns: prompt_k = prompt_{k-1} + O_{k-1} + new_input_k; prefix = prompt_{k-1} + O_{k-1}.
        let spec = WorkloadSpec(
            totalDuration: 200, seed: 11, maxTurnsPerSession: 8,
            profiles: [profile("chat", prompt: Distribution(.uniform(low: 10, high: 300), isInt: true),
                               maxOutput: Distribution(.uniform(low: 20, high: 80), isInt: true),
                               output: Distribution(.exponential(rate: 0.02), isInt: true),
                               conversational: 1, continuation: 0.8)])
        var previous: [UInt64: RequestEvent] = [:]
        var checked = 0
        for event in events(spec) {
            guard let r = event.request else { continue }
            #expect(r.outputTokens <= r.maxOutputTokens)
            if let last = previous[r.sessionID] {
                #expect(r.prefixTokens == last.promptTokens + last.outputTokens)
                #expect(r.promptTokens == last.promptTokens + last.outputTokens + r.newInputTokens)
                checked += 1
            } else {
                #expect(r.turn == 1 && r.prefixTokens == 0 && r.promptTokens == r.newInputTokens)
            }
            previous[r.sessionID] = r
        }
        #expect(checked > 100)
    }

    @Test func withoutAccumulationEachPromptIsItsNewInput() {
        var spec = WorkloadSpec(totalDuration: 50, seed: 2, profiles: [profile("chat", conversational: 1)])
        spec.accumulateConversationalTokens = false
        let requests = events(spec).compactMap(\.request)
        #expect(requests.contains { $0.turn >= 2 })
        #expect(requests.allSatisfy { $0.promptTokens == $0.newInputTokens && $0.prefixTokens == 0 })
    }

    @Test func followUpsAreSentAtTheirExactTimeAndLinksAreFIFO() {
        // 100 tokens * 2 bytes = 200 bytes = 1600 bits at 1600 bps: 1 s on the wire, then 0.5 s latency.
        // Sessions every 0.25 s, so transfers queue behind each other on the one link.
        let link = NetworkLink(latencySeconds: 0.5, bandwidthBitsPerSecond: 1600)
        let spec = WorkloadSpec(
            totalDuration: 3, seed: 1, maxTurnsPerSession: 2, network: link,
            profiles: [profile("chat", gap: Distribution(.constant(0.25)), prompt: Distribution(.constant(100), isInt: true),
                               followUp: Distribution(.constant(2)), conversational: 1)])
        let stream = events(spec)
        let requests = stream.compactMap(\.request).sorted { $0.sentAt < $1.sentAt }
        // Exact hand-computed arrivals of the first three turn-1 requests: 1.75, 2.75, 3.75 s.
        let firstThree = requests.filter { $0.turn == 1 }.prefix(3).map(\.time)
        #expect(Array(firstThree) == [1_750_000_000, 2_750_000_000, 3_750_000_000])
        for r in requests where r.turn == 2 {
            let first = requests.first { $0.sessionID == r.sessionID && $0.turn == 1 }!
            #expect(r.sentAt == first.sentAt + 2_000_000_000)
            #expect(r.payloadBytes == 2 * r.promptTokens)
        }
        // Emitted in arrival order.
        let emitted = stream.compactMap(\.request).map(\.time)
        #expect(emitted == emitted.sorted())
    }

    @Test func turnsFollowTheConversationRules() {
        func turnCounts(conversational: Double, continuation: Double, maxTurns: Int) -> [Int32: Int] {
            let spec = WorkloadSpec(
                totalDuration: 2000, seed: 8, maxTurnsPerSession: maxTurns,
                profiles: [profile("chat", gap: Distribution(.exponential(rate: 5)), followUp: Distribution(.constant(0.1)),
                                   conversational: conversational, continuation: continuation)])
            var counts: [Int32: Int] = [:]
            for case .sessionEnded(let e) in events(spec) where e.reason != .horizon {
                counts[e.turns, default: 0] += 1
            }
            return counts
        }
        #expect(turnCounts(conversational: 1, continuation: 1, maxTurns: 4).keys.sorted() == [4])
        #expect(turnCounts(conversational: 1, continuation: 0, maxTurns: 4).keys.sorted() == [2])
        #expect(turnCounts(conversational: 0, continuation: 1, maxTurns: 4).keys.sorted() == [1])

        // Mean turns against the exact turn-count distribution, 4 standard errors.
        let counts = turnCounts(conversational: 0.6, continuation: 0.7, maxTurns: 10)
        let sessions = counts.values.reduce(0, +)
        let mean = Double(counts.reduce(0) { $0 + Int($1.key) * $1.value }) / Double(sessions)
        let exact = TurnCountDistribution(maxTurns: 10, conversationalProbability: 0.6, continuationProbability: 0.7)
        let se = ((exact.secondMoment - exact.mean * exact.mean) / Double(sessions)).squareRoot()
        #expect(abs(mean - exact.mean) < 4 * se, "mean turns \(mean) vs \(exact.mean) (SE \(se))")
    }

    @Test func endReasonsAreRight() {
        let spec = WorkloadSpec(
            totalDuration: 100, seed: 4, maxTurnsPerSession: 3,
            profiles: [profile("chat", gap: Distribution(.exponential(rate: 2)), followUp: Distribution(.constant(10)),
                               conversational: 0.5, continuation: 0.5)])
        let stream = events(spec)
        let ended = stream.compactMap(\.ended)
        for e in ended {
            switch e.reason {
            case .completed: #expect(e.turns == 1 || e.turns == 2)
            case .maxTurns: #expect(e.turns == 3)
            case .horizon: #expect(e.time == 100_000_000_000)
            case .shutdown: Issue.record("no shutdown in a bounded run")
            case .contextFull: Issue.record("no context_full without a window")
            case .noResponse, .failed: Issue.record("no feedback, so no no_response or failed")
            }
        }
        #expect(ended.contains { $0.reason == .horizon })
        #expect(stream.last?.time == 100_000_000_000)
    }

    @Test func requestCapIsExact() {
        let spec = WorkloadSpec(totalRequests: 1234, seed: 4, profiles: [profile("chat", conversational: 0.5)])
        let stream = events(spec)
        #expect(stream.compactMap(\.request).count == 1234)
        #expect(stream.compactMap(\.started).count == stream.compactMap(\.ended).count)
    }

    @Test func stopClosesOpenSessionsWithShutdown() {
        let spec = WorkloadSpec(seed: 4, profiles: [profile("chat", gap: Distribution(.exponential(rate: 10)), conversational: 1)])
        var engine = WorkloadEngine(spec: spec)
        var stream: [Event] = []
        while let event = engine.next() {
            stream.append(event)
            if stream.count == 500 { engine.stop(at: engine.virtualTime) }
            #expect(stream.count < 10_000)
            if stream.count >= 10_000 { break }
        }
        let shutdowns = stream.compactMap(\.ended).filter { $0.reason == .shutdown }
        #expect(!shutdowns.isEmpty)
        #expect(stream.compactMap(\.started).count == stream.compactMap(\.ended).count)
        #expect(engine.isFinished)
    }

    @Test func sameSpecSameStreamOtherSeedOtherStream() {
        let spec = WorkloadSpec(totalDuration: 100, seed: 77, profiles: [
            profile("chat", gap: Distribution(.exponential(rate: 3)), prompt: Distribution(.logNormal(mean: 128, std: 64), isInt: true),
                    conversational: 0.6)])
        #expect(events(spec) == events(spec))
        var other = spec
        other.seed = 78
        #expect(events(spec) != events(other))
    }

    @Test func addingAProfileLeavesTheOthersDrawsAlone() {
        // Superposition: profile A's sessions draw from streams named by (A, ordinal),
        // so adding B changes neither A's tokens nor its clients.
        let a = profile("A", gap: Distribution(.exponential(rate: 2)), prompt: Distribution(.logNormal(mean: 200, std: 80), isInt: true),
                        conversational: 0.5)
        let b = profile("B", gap: Distribution(.exponential(rate: 2)), conversational: 0.5)
        let alone = WorkloadSpec(totalDuration: 200, seed: 3, arrivalMode: .superposition, profiles: [a])
        let together = WorkloadSpec(totalDuration: 200, seed: 3, arrivalMode: .superposition, profiles: [a, b])
        func firstTurns(_ spec: WorkloadSpec) -> [Int64] {
            events(spec).compactMap(\.request).filter { $0.profile == 0 && $0.turn == 1 }
                .sorted { $0.sentAt < $1.sentAt }.map { $0.promptTokens * 1000 + Int64($0.client) }
        }
        let x = firstTurns(alone), y = firstTurns(together)
        let n = min(x.count, y.count)
        #expect(n > 100)
        #expect(Array(x.prefix(n / 2)) == Array(y.prefix(n / 2)))
    }
}
