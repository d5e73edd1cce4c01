import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadModel

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `config/chat-closed.yaml` with `feedback`, paced `max`, at `rate` sessions a second.
func closedLoopConfiguration(duration: Double, rate: Double = 0.06, lookahead: Double? = 0.5, seed: UInt64 = 42,
                             think: String? = nil, extra: String = "") throws -> Configuration {
    var text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/chat-closed.yaml"), encoding: .utf8)
    text = text.replacingOccurrences(of: "{type: Exponential, rate: 5.0}", with: "{type: Exponential, rate: \(rate)}")
    if let think { text = text.replacingOccurrences(of: "{type: Exponential, rate: 0.2}", with: think) }
    let ahead = lookahead.map { "\($0)" } ?? "null"
    text += "\nclock: {mode: accelerated, speed: max}\nfeedback:\n  topic: llm.completions\n  timeout_s: 600\n  lookahead_s: \(ahead)\n" + extra
    var configuration = try Configuration.parse(yaml: text, source: "chat-closed+feedback")
    configuration.override(duration: duration, seed: seed)
    return configuration
}

/// A completion the in-process loop made, keyed by its request.
struct LoopCompletion {
    var key: CompletionKey
    var time: VirtualNanoseconds
    var arrival: VirtualNanoseconds
    var output: Int64
}

/// The engine and the reference service in one process, the watermark rule
/// between them as over Kafka: the engine waits (`isStalled`), promises
/// `requestsPromise`, the service serves what came and promises its own
/// frontier. `withholding`: completions are handed over late, a random part
/// of them at each round and in a random order (the frontier held below the
/// withheld ones), to show that their arrival order cannot change the stream.
struct InProcessLoop {
    var events: [Event] = []
    var completions: [CompletionKey: LoopCompletion] = [:]
    var rounds = 0
    /// Rounds passed with nothing new: no event, the same promises both ways.
    var deadlocked = false

    /// The engine's verdicts on what it was handed (with `fuzz`, bad completions too).
    var verdicts: [CompletionVerdict: Int] = [:]

    /// `status`: what the service answers for a request (ok unless it says otherwise).
    init(_ configuration: Configuration, replicas: Int, dropFraction: Double = 0, withholding seed: UInt64? = nil,
         fuzz: Bool = false, status: ((CompletionKey) -> CompletionStatus)? = nil) {
        var engine = WorkloadEngine(spec: configuration.workload)
        var service = ReferenceService(spec: configuration.workload, replicas: replicas, dropFraction: dropFraction)
        var waiting: [LoopCompletion] = []
        var rng = seed.map { SplitMix64Test(state: $0) }
        var idle = 0
        var lastState: [Int64] = []
        while true {
            while let event = engine.next() {
                events.append(event)
                // A request is named by its own session (a subagent's, not its root's).
                guard case .request(let r) = event,
                      let times = service.serve(session: r.ownSessionID, turn: r.turn, profile: Int(r.profile), arrival: r.time,
                                                uncachedTokens: r.newInputTokens, outputTokens: r.outputTokens) else { continue }
                let done = LoopCompletion(key: CompletionKey(session: r.ownSessionID, turn: r.turn), time: times.completion, arrival: r.time,
                                          output: r.outputTokens)
                waiting.append(done)
                completions[done.key] = done
            }
            guard engine.isStalled else { break }
            rounds += 1
            let promised = engine.requestsPromise
            var frontier = service.promise(requestsFrontier: promised)
            let state = [Int64(events.count), promised, frontier, Int64(waiting.count)]
            idle = state == lastState ? idle + 1 : 0
            lastState = state
            if idle > 100 {
                deadlocked = true
                break
            }
            var handed = waiting
            waiting = []
            if var random = rng {
                handed.shuffle(using: &random)
                let kept = handed.count / 2 + (random.next() % 2 == 0 ? 0 : handed.count % 2)
                waiting = Array(handed.suffix(kept))
                handed.removeLast(kept)
                rng = random
                if let least = waiting.map(\.time).min() { frontier = min(frontier, least) }
            }
            for done in handed {
                if fuzz {
                    // Before its request's arrival, an unknown request, then (after the real one) a duplicate.
                    for (key, time) in [(done.key, done.arrival - 1), (CompletionKey(session: done.key.session ^ 1, turn: 1), done.time)] {
                        verdicts[engine.deliverCompletion(session: key.session, turn: key.turn, time: time, outputTokens: 1, status: .error), default: 0] += 1
                    }
                }
                verdicts[engine.deliverCompletion(session: done.key.session, turn: done.key.turn, time: done.time,
                                                  outputTokens: done.output, status: status?(done.key) ?? .ok), default: 0] += 1
                if fuzz {
                    verdicts[engine.deliverCompletion(session: done.key.session, turn: done.key.turn, time: done.time + 5,
                                                      outputTokens: 7, status: .rejected), default: 0] += 1
                }
            }
            engine.advanceCompletionsFrontier(to: frontier)
        }
    }
}

/// SplitMix64, for the test's own shuffles.
struct SplitMix64Test: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The closed loop in one process: the engine's side of the seam.
@Suite struct ClosedLoopEngineTests {
    @Test func laterTurnsAreSentExactlyTheirDelayAfterTheServicesCompletion() throws {
        let configuration = try closedLoopConfiguration(duration: 1800)
        let loop = InProcessLoop(configuration, replicas: 2)
        #expect(!loop.deadlocked)
        let requests = loop.events.compactMap(\.request)
        let later = requests.filter { $0.turn >= 2 }
        #expect(later.count > 50)
        for r in later {
            let completion = try #require(loop.completions[CompletionKey(session: r.sessionID, turn: r.turn - 1)])
            #expect(r.sentAt == completion.time + r.delay)
            #expect(r.delay >= 500_000_000)
        }
        // Time never goes back, and the run ended on its own.
        #expect(zip(loop.events, loop.events.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(loop.events.compactMap(\.ended).count == loop.events.compactMap(\.started).count)
    }

    /// Requests per session per second = 1 / (mean response + mean think):
    /// each gap between a session's sends is the response (completion - send)
    /// plus the think time, so the measured rate differs from the prediction
    /// only by the think times' sampling error (4 standard errors allowed).
    @Test func theLoopPushesBack() throws {
        let configuration = try closedLoopConfiguration(duration: 3600)
        var laterRates: [Int: Double] = [:]
        for replicas in [1, 2] {
            let loop = InProcessLoop(configuration, replicas: replicas)
            #expect(!loop.deadlocked)
            let requests = loop.events.compactMap(\.request)
            var sent: [CompletionKey: VirtualNanoseconds] = [:]
            for r in requests { sent[CompletionKey(session: r.sessionID, turn: r.turn)] = r.sentAt }
            var gaps: [Double] = [], responses: [Double] = [], thinks: [Double] = []
            for r in requests where r.turn >= 2 {
                let previous = CompletionKey(session: r.sessionID, turn: r.turn - 1)
                let sentBefore = try #require(sent[previous]), completion = try #require(loop.completions[previous])
                gaps.append(Double(r.sentAt - sentBefore) / 1e9)
                responses.append(Double(completion.time - sentBefore) / 1e9)
                thinks.append(Double(r.delay) / 1e9)
            }
            // Exponential(0.2) think times raised to the 0.5 s lookahead: E = 0.5 + 5 e^(-0.1).
            let meanThink = 0.5 + 5 * exp(-0.1)
            let measured = Double(gaps.count) / gaps.reduce(0, +)
            let predicted = 1 / (responses.reduce(0, +) / Double(responses.count) + meanThink)
            let thinkSD = moments(thinks).variance.squareRoot()
            let standardError = predicted * predicted * thinkSD / Double(thinks.count).squareRoot()
            print("replicas \(replicas): \(gaps.count) later turns, mean response \(responses.reduce(0, +) / Double(responses.count)) s, measured \(measured), predicted \(predicted) /s per session (SE \(standardError))")
            #expect(gaps.count > 100)
            #expect(abs(measured - predicted) <= 4 * standardError)
            laterRates[replicas] = Double(gaps.count) / 3600
        }
        #expect(laterRates[1]! < laterRates[2]!)
    }

    @Test func badCompletionsAreCountedAndChangeNothingElse() throws {
        let configuration = try closedLoopConfiguration(duration: 900, rate: 0.1)
        let clean = InProcessLoop(configuration, replicas: 2)
        let fuzzed = InProcessLoop(configuration, replicas: 2, withholding: 3, fuzz: true)
        #expect(fuzzed.events == clean.events)
        let answered = fuzzed.verdicts[.accepted] ?? 0
        #expect(answered > 50)
        // One of each per completion handed over (a completion too late for its deadline counts apart).
        #expect((fuzzed.verdicts[.beforeArrival] ?? 0) >= answered)
        #expect((fuzzed.verdicts[.unknownRequest] ?? 0) >= answered)
        #expect(fuzzed.verdicts[.duplicate] == answered)
    }

    @Test func whenCompletionsArriveCannotChangeTheStream() throws {
        let configuration = try closedLoopConfiguration(duration: 900, rate: 0.1)
        let prompt = InProcessLoop(configuration, replicas: 2).events
        let late = InProcessLoop(configuration, replicas: 2, withholding: 7)
        #expect(late.rounds > 0)
        #expect(prompt == late.events)
        #expect(prompt == InProcessLoop(configuration, replicas: 2, withholding: 8).events)
    }

    /// With replicas enough that no request waits, the service's completions
    /// are the service model's: the closed loop gives the open model's requests.
    @Test func anIdleServiceGivesTheServiceModelsStream() throws {
        // Think times of at least 1 s: the default lookahead (1 s) raises none of them.
        let configuration = try closedLoopConfiguration(duration: 600, rate: 0.2, lookahead: nil, think: "{type: Uniform, low: 1, high: 9}")
        #expect(configuration.workload.externalCompletions?.lookahead == 1_000_000_000)
        var modeled = configuration
        modeled.feedback = nil
        modeled.override(ConfigurationOverrides())
        let model = eventsOf(modeled).compactMap(\.request)
        let loop = InProcessLoop(configuration, replicas: 10_000).events.compactMap(\.request)
        #expect(model.count > 100)
        #expect(loop.map(\.sentAt) == model.map(\.sentAt))
        #expect(loop.map(\.delay) == model.map(\.delay))
    }

    @Test func droppedRequestsEndTheirSessionsNoResponseAtTheTimeout() throws {
        let configuration = try closedLoopConfiguration(duration: 900, rate: 0.1)
        let service = ReferenceService(spec: configuration.workload, replicas: 2, dropFraction: 0.05)
        let loop = InProcessLoop(configuration, replicas: 2, dropFraction: 0.05)
        let requests = loop.events.compactMap(\.request)
        let dropped = requests.filter { service.drops(session: $0.sessionID, turn: $0.turn) }
        #expect(dropped.count >= 3)
        let ended = loop.events.compactMap(\.ended)
        let noResponse = ended.filter { $0.reason == .noResponse }
        #expect(Set(noResponse.map(\.sessionID)) == Set(dropped.map(\.sessionID)))
        for end in noResponse {
            let request = try #require(dropped.first { $0.sessionID == end.sessionID })
            #expect(end.time == request.time + 600_000_000_000)
        }
    }
}

/// Mean and sample variance.
func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1))
}

/// Every event of the engine run on `configuration` (no feedback).
func eventsOf(_ configuration: Configuration) -> [Event] {
    var engine = WorkloadEngine(spec: configuration.workload)
    var out: [Event] = []
    while let event = engine.next() { out.append(event) }
    return out
}

extension Event {
    var request: RequestEvent? { if case .request(let e) = self { e } else { nil } }
    var started: SessionStartedEvent? { if case .sessionStarted(let e) = self { e } else { nil } }
    var ended: SessionEndedEvent? { if case .sessionEnded(let e) = self { e } else { nil } }
}
