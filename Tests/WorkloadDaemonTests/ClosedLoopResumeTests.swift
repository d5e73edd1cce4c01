import Testing
@testable import WorkloadDaemon
import WorkloadConfig
import WorkloadModel

/// The in-process loop of `InProcessLoop`, with a generator that stops dead
/// at round `crashRound` and continues from the engine checkpoint it took at
/// round `checkpointRound`, as `run --state-dir` does over Kafka: the
/// service keeps running (its queue and the completions it has not handed
/// over stay), the events published before the crash are not served again
/// (Kafka holds them once), and every completion handed over after the
/// checkpoint is handed over again at once, before the restored engine has
/// generated the requests that some of them answer.
struct ResumedLoop {
    var events: [Event] = []
    /// Completions handed over again whose request the restored engine had not generated yet.
    var early = 0
    /// Events regenerated that Kafka already held: each must equal the one published before.
    var regenerated = 0
    var regeneratedMismatches = 0
    var counts = FeedbackCounts()

    init(_ configuration: Configuration, replicas: Int, checkpointRound: Int, crashRound: Int, holdEarly: Bool = true) throws {
        var engine = WorkloadEngine(spec: configuration.workload)
        var service = ReferenceService(spec: configuration.workload, replicas: replicas)
        var waiting: [LoopCompletion] = []
        var checkpoint: (bytes: [UInt8], events: Int)?
        var handedAfter: [LoopCompletion] = []
        var frontier = VirtualNanoseconds.min
        var promised = VirtualNanoseconds.min
        var round = 0
        var published = 0
        func serve(_ event: Event) {
            guard case .request(let r) = event,
                  let times = service.serve(session: r.sessionID, turn: r.turn, profile: Int(r.profile), arrival: r.time,
                                            uncachedTokens: r.newInputTokens, outputTokens: r.outputTokens) else { return }
            waiting.append(LoopCompletion(key: CompletionKey(session: r.sessionID, turn: r.turn), time: times.completion,
                                          arrival: r.time, output: r.outputTokens))
        }
        // Before the crash.
        while round < crashRound {
            while let event = engine.next() {
                events.append(event)
                serve(event)
            }
            guard engine.isStalled else { break }
            round += 1
            if round == checkpointRound { checkpoint = (engine.checkpoint(), events.count) }
            promised = max(promised, engine.requestsPromise)
            frontier = service.promise(requestsFrontier: promised)
            for done in waiting {
                _ = engine.deliverCompletion(session: done.key.session, turn: done.key.turn, time: done.time, outputTokens: done.output, status: .ok)
                if checkpoint != nil { handedAfter.append(done) }
            }
            waiting = []
            engine.advanceCompletionsFrontier(to: frontier)
        }
        published = events.count
        let saved = try #require(checkpoint, "the run stalled fewer than \(checkpointRound) times")
        // The restart: the checkpoint's engine, and what came after it read again from the saved positions.
        let before = events
        events = Array(events.prefix(saved.events))
        engine = try WorkloadEngine(spec: configuration.workload, restoring: saved.bytes)
        if holdEarly { engine.holdEarlyCompletions(until: promised) }
        let generatedBefore = Set(events.compactMap(\.request).map { CompletionKey(session: $0.sessionID, turn: $0.turn) })
        for done in handedAfter {
            if !generatedBefore.contains(done.key) { early += 1 }
            _ = engine.deliverCompletion(session: done.key.session, turn: done.key.turn, time: done.time, outputTokens: done.output, status: .ok)
        }
        engine.advanceCompletionsFrontier(to: frontier)
        while true {
            while let event = engine.next() {
                if events.count < published {
                    regenerated += 1
                    if event != before[events.count] { regeneratedMismatches += 1 }
                } else {
                    serve(event)
                }
                events.append(event)
            }
            guard engine.isStalled else { break }
            frontier = service.promise(requestsFrontier: engine.requestsPromise)
            for done in waiting {
                _ = engine.deliverCompletion(session: done.key.session, turn: done.key.turn, time: done.time, outputTokens: done.output, status: .ok)
            }
            waiting = []
            engine.advanceCompletionsFrontier(to: frontier)
        }
        counts = engine.feedbackCounts
    }
}

extension ClosedLoopEngineTests {
    /// Exactly once across a restart: the engine's checkpoint holds what awaits
    /// a completion and what is held, and the completions read again from the
    /// checkpoint's positions (some answering requests not yet generated again)
    /// give the uninterrupted stream.
    /// The checkpoint and the crash at these shares of the uninterrupted run's rounds.
    @Test(arguments: [(0.1, 0.3), (0.4, 0.5), (0.6, 0.95)])
    func aRestartFromTheCheckpointGivesTheUninterruptedStream(checkpointAt: Double, crashAt: Double) throws {
        let configuration = try closedLoopConfiguration(duration: 900, rate: 0.1)
        let uninterrupted = InProcessLoop(configuration, replicas: 2)
        let checkpointRound = Int(checkpointAt * Double(uninterrupted.rounds)), crashRound = Int(crashAt * Double(uninterrupted.rounds))
        let resumed = try ResumedLoop(configuration, replicas: 2, checkpointRound: checkpointRound, crashRound: crashRound)
        print("checkpoint at round \(checkpointRound), crash at \(crashRound) of \(uninterrupted.rounds): \(resumed.regenerated) events regenerated, \(resumed.early) completions read again before their request; \(resumed.counts)")
        #expect(resumed.regenerated > 0)
        #expect(resumed.regeneratedMismatches == 0)
        #expect(resumed.events.count == uninterrupted.events.count)
        #expect(resumed.events == uninterrupted.events)
        #expect(resumed.counts.ignored.isEmpty, "nothing read again is ignored: \(resumed.counts.ignored)")
        #expect(resumed.early > 0)
    }

    /// Without `holdEarlyCompletions` the same restart loses the completions
    /// read again before their request: their sessions end `no_response`.
    @Test func withoutHoldingEarlyCompletionsARestartLosesThem() throws {
        let configuration = try closedLoopConfiguration(duration: 900, rate: 0.1)
        let uninterrupted = InProcessLoop(configuration, replicas: 2)
        let rounds = Double(uninterrupted.rounds)
        let lossy = try ResumedLoop(configuration, replicas: 2, checkpointRound: Int(0.6 * rounds), crashRound: Int(0.95 * rounds),
                                    holdEarly: false)
        #expect(lossy.early > 0)
        #expect(lossy.events != uninterrupted.events)
        #expect(lossy.counts.ignored[.unknownRequest] == lossy.early)
        #expect(lossy.counts.endedNoResponse > 0)
    }
}

/// The run checkpoint of a closed loop: the engine's side of the loop and
/// the completions reader's state, written and read back, and never a trap
/// on a corrupt one.
@Suite struct ClosedLoopCheckpointTests {
    /// The engine of `configuration`'s in-process loop after `rounds` stalls: requests await, completions are held.
    static func midLoop(_ configuration: Configuration, rounds: Int) -> WorkloadEngine {
        var engine = WorkloadEngine(spec: configuration.workload)
        var service = ReferenceService(spec: configuration.workload, replicas: 2)
        var waiting: [LoopCompletion] = []
        for _ in 0..<rounds {
            while let event = engine.next() {
                guard case .request(let r) = event,
                      let times = service.serve(session: r.sessionID, turn: r.turn, profile: Int(r.profile), arrival: r.time,
                                                uncachedTokens: r.newInputTokens, outputTokens: r.outputTokens) else { continue }
                waiting.append(LoopCompletion(key: CompletionKey(session: r.sessionID, turn: r.turn), time: times.completion,
                                              arrival: r.time, output: r.outputTokens))
            }
            guard engine.isStalled else { break }
            let frontier = service.promise(requestsFrontier: engine.requestsPromise)
            for done in waiting {
                _ = engine.deliverCompletion(session: done.key.session, turn: done.key.turn, time: done.time, outputTokens: done.output, status: .ok)
            }
            waiting = []
            engine.advanceCompletionsFrontier(to: frontier)
        }
        return engine
    }

    static let feed = CompletionFeedState(positions: [5, 0, 17], watermarks: [[0: 100], [:], [0: 5, 1: 7]], producers: [1, 0, 2])

    @Test func theLoopsStateRoundTrips() throws {
        let configuration = try closedLoopConfiguration(duration: 900, rate: 0.1)
        let engine = Self.midLoop(configuration, rounds: 100)
        #expect(engine.awaitingCompletions > 0)
        let checkpoint = RunCheckpoint(lastSeq: 41, lastTime: engine.virtualTime, pacingAnchorUnixNanoseconds: 1, offsets: ["llm.requests": [3]],
                                       feedback: Self.feed, engine: engine.checkpoint())
        let bytes = checkpoint.bytes
        #expect(bytes.prefix(8) == [0x4C, 0x4C, 0x4D, 0x57, 0x43, 0x4B, 0x50, 0x34], "LLMWCKP4")
        let loaded = try RunCheckpoint.restore(bytes, workload: configuration.workload)
        #expect(loaded.checkpoint.feedback == Self.feed)
        #expect(loaded.engine.checkpoint() == checkpoint.engine)
        #expect(loaded.engine.awaitingCompletions == engine.awaitingCompletions)
        #expect(loaded.engine.completionsFrontier == engine.completionsFrontier)
        // Without feedback the layout stays the third.
        #expect(RunCheckpoint(lastSeq: nil, lastTime: 0, pacingAnchorUnixNanoseconds: 1, engine: []).bytes.prefix(8).last == 0x33)
    }

    /// Flipped bytes in the body (framed anew, as if they collided with the
    /// checksum) are refused or restore an engine that then generates: none traps.
    @Test func aCorruptLoopStateNeverTraps() throws {
        let configuration = try closedLoopConfiguration(duration: 900, rate: 0.1)
        let engine = Self.midLoop(configuration, rounds: 100)
        let bytes = RunCheckpoint(lastSeq: 41, lastTime: engine.virtualTime, pacingAnchorUnixNanoseconds: 1, feedback: Self.feed,
                                  engine: engine.checkpoint()).bytes
        let body = Array(bytes[RunCheckpoint.headerBytes..<bytes.count - RunCheckpoint.checksumBytes])
        var rng = Xoshiro256(seed: 5)
        var restored = 0, refused = 0
        for index in 0..<1_500 {
            var corrupt = body
            for _ in 0..<(index % 4 == 3 ? 3 : 1) {
                // Half in the reader's state and the engine's feedback part (the last 1.5 KB), half anywhere.
                let span = index % 2 == 0 ? min(body.count, 1_600) : body.count
                let at = index % 2 == 0 ? body.count - 1 - Int(rng.nextBelow(UInt64(span))) : Int(rng.nextBelow(UInt64(span)))
                corrupt[at] ^= UInt8(1 + rng.nextBelow(255))
            }
            var framed: [UInt8] = []
            withUnsafeBytes(of: RunCheckpoint.magicWithFeedback.littleEndian) { framed.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(corrupt.count).littleEndian) { framed.append(contentsOf: $0) }
            framed += corrupt
            withUnsafeBytes(of: CRC32C.checksum(framed).littleEndian) { framed.append(contentsOf: $0) }
            do {
                var loaded = try RunCheckpoint.restore(framed, workload: configuration.workload).engine
                for _ in 0..<200 {
                    _ = loaded.next()
                    if loaded.isStalled { let w = loaded.completionsFrontier; loaded.advanceCompletionsFrontier(to: w > .max - 1_000_000_000 ? .max : w + 1_000_000_000) }
                }
                restored += 1
            } catch {
                refused += 1
            }
        }
        print("closed-loop checkpoint fuzz (valid checksums): \(restored) restored, \(refused) refused, 0 crashed")
        #expect(restored + refused == 1_500 && refused > 0)
    }
}
