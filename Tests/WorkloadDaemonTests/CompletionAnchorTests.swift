import Foundation
import Testing
import TestSupport
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Completion-anchored turns: a later turn is sent a think time after the
/// previous turn's modeled completion, and says so (`depends_on`, `delay_s`).
@Suite struct CompletionAnchorTests {
    static func chatClosed(duration: Double, seed: UInt64 = 42) throws -> Configuration {
        var configuration = try Configuration.load(path: repositoryRoot.appendingPathComponent("config/chat-closed.yaml").path)
        configuration.override(duration: duration, seed: seed)
        return configuration
    }

    /// The whole stream as JSON lines (through the encoder `generate` uses).
    static func lines(_ configuration: Configuration) -> [Substring] {
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        var engine = WorkloadEngine(spec: configuration.workload)
        var writer = ByteWriter()
        while let event = engine.next() { encoder.encode(event, into: &writer) }
        return JSONLines.lines(String(decoding: writer.bytes, as: UTF8.self))
    }

    /// The cdfs the test checks against, written out from the configuration's parameters.
    static func exponentialCDF(rate: Double) -> (Double) -> Double { { $0 <= 0 ? 0 : 1 - exp(-rate * $0) } }
    static func uniformCDF(_ low: Double, _ high: Double) -> (Double) -> Double { { min(1, max(0, ($0 - low) / (high - low))) } }
    /// LogNormal given the mean and standard deviation of the variable itself.
    static func logNormalCDF(mean: Double, std: Double) -> (Double) -> Double {
        let sigma2 = log(1 + (std / mean) * (std / mean))
        let mu = log(mean) - sigma2 / 2
        return { $0 <= 0 ? 0 : 0.5 * erfc(-(log($0) - mu) / (2 * sigma2).squareRoot()) }
    }

    struct Request {
        var sessionID: String
        var turn: Int64
        var arrival: Int64
        var sentAt: Int64
        var newInput: Int64
        var output: Int64
        var dependsOn: [String]?
        var delay: Int64?
        var seq: Int64
    }

    struct Completion {
        var time: Int64
        var firstToken: Int64
        var output: Int64
        var seq: Int64
    }

    static func parse(_ lines: [Substring]) -> (requests: [String: Request], completions: [String: Completion], ended: [String: Int64]) {
        var requests: [String: Request] = [:], completions: [String: Completion] = [:], ended: [String: Int64] = [:]
        for line in lines {
            let fields = RawJSONFields(line)
            switch fields.string("type") {
            case "request":
                requests[fields.string("request_id")!] = Request(
                    sessionID: fields.string("session_id")!, turn: fields.integer("turn")!, arrival: fields.nanoseconds("time_s")!,
                    sentAt: fields.nanoseconds("sent_at_s")!, newInput: fields.integer("new_input_tokens")!,
                    output: fields.integer("output_tokens")!, dependsOn: fields.requestIDs("depends_on"),
                    delay: fields.nanoseconds("delay_s"), seq: fields.integer("seq")!)
            case "completion":
                #expect(fields.string("status") == "ok")
                completions[fields.string("request_id")!] = Completion(
                    time: fields.nanoseconds("time_s")!, firstToken: fields.nanoseconds("first_token_s")!,
                    output: fields.integer("output_tokens")!, seq: fields.integer("seq")!)
            case "session_ended":
                ended[fields.string("session_id")!] = fields.nanoseconds("time_s")!
            default: break
            }
        }
        return (requests, completions, ended)
    }

    /// One hour of config/chat-closed.yaml: exact dependency arithmetic, no early send, and the
    /// think times, TTFT and TPOT recovered from the events pass KS (1%) against their laws.
    @Test(.statistics, .background, .tags(.statistics)) func laterTurnsAreSentExactlyTheirDelayAfterTheirDependencyCompletes() throws {
        let configuration = try Self.chatClosed(duration: 3600)
        let seed = configuration.workload.seed
        let (requests, completions, ended) = Self.parse(Self.lines(configuration))
        #expect(requests.count > 30_000, "\(requests.count) requests")

        var laterTurns = 0, exact = 0, early = 0, completedExactly = 0
        var thinkTimes: [Double] = [], ttfts: [Double] = [], tpots: [Double] = []
        let ttftDistribution = configuration.workload.serviceModel!.timeToFirstToken
        let tpotDistribution = configuration.workload.serviceModel!.timePerOutputToken
        for (id, request) in requests {
            if request.turn == 1 {
                #expect(request.dependsOn == nil && request.delay == nil, "\(id): turn 1 depends on nothing")
            } else {
                laterTurns += 1
                let dependency = "\(request.sessionID)-\(request.turn - 1)"
                #expect(request.dependsOn == [dependency], "\(id): \(String(describing: request.dependsOn))")
                guard let delay = request.delay, let completion = completions[dependency] else {
                    Issue.record("\(id): no delay_s or no completion of \(dependency)")
                    continue
                }
                if request.sentAt == completion.time + delay { exact += 1 }
                if request.sentAt < completion.time { early += 1 }
                #expect(completion.seq < request.seq, "\(id): its dependency's completion comes first in the stream")
                thinkTimes.append(Double(delay) / 1e9)
            }
            // The completion: first token = arrival + TTFT + uncached / 20000 tokens/s, then + output x TPOT,
            // TTFT and TPOT redrawn here from the request's own stream (its session's ID, its turn).
            guard let completion = completions[id] else { continue }
            #expect(completion.output == request.output)
            var identity = StreamIdentity("service-times")
            identity.append(UInt64(request.sessionID, radix: 16)!)
            identity.append(UInt64(request.turn))
            var rng = Xoshiro256(seed: identity.combined(with: seed))
            let ttft = ttftDistribution.sample(using: &rng), tpot = tpotDistribution.sample(using: &rng)
            let firstToken = request.arrival + Int64(((ttft + Double(request.newInput) / 20_000) * 1e9).rounded())
            if completion.firstToken == firstToken && completion.time == firstToken + Int64((Double(request.output) * tpot * 1e9).rounded()) {
                completedExactly += 1
            }
            ttfts.append(Double(completion.firstToken - request.arrival) / 1e9 - Double(request.newInput) / 20_000)
            tpots.append(Double(completion.time - completion.firstToken) / 1e9 / Double(request.output))
        }
        #expect(laterTurns > 15_000, "\(laterTurns) later turns")
        #expect(exact == laterTurns, "sent_at = completion + delay_s exactly for \(exact) of \(laterTurns)")
        #expect(early == 0, "\(early) later turns sent before their dependency completed")
        #expect(completedExactly == completions.count, "\(completedExactly) of \(completions.count) completions exact")
        #expect(completions.count > requests.count - 500, "every request but those cut at the horizon completes: \(completions.count)")

        // A session ends at its last completion (those cut by the horizon end at the horizon).
        var endedAtCompletion = 0
        for (id, request) in requests {
            guard let end = ended[request.sessionID], let completion = completions[id], completion.time == end else { continue }
            endedAtCompletion += 1
        }
        #expect(endedAtCompletion > ended.count * 9 / 10, "\(endedAtCompletion) of \(ended.count) sessions end at a completion")

        let think = GoodnessOfFit.kolmogorovSmirnovStatistic(thinkTimes, cdf: Self.exponentialCDF(rate: 0.2))
        let ttft = GoodnessOfFit.kolmogorovSmirnovStatistic(ttfts, cdf: Self.logNormalCDF(mean: 0.4, std: 0.3))
        let tpot = GoodnessOfFit.kolmogorovSmirnovStatistic(tpots, cdf: Self.uniformCDF(0.02, 0.04))
        for (what, d, n) in [("think time", think, thinkTimes.count), ("TTFT", ttft, ttfts.count), ("TPOT", tpot, tpots.count)] {
            let p = GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: n)
            print("chat-closed 1 h: \(what) KS D = \(d), n = \(n), p = \(p)")
            #expect(p > 0.01, "\(what): KS D = \(d) over \(n), p = \(p)")
        }
        print("chat-closed 1 h: \(requests.count) requests, \(laterTurns) later turns, \(exact) exact, \(early) early, \(completions.count) completions (\(completedExactly) exact)")
    }

    /// A closed form: Exponential arrivals, Constant TTFT, TPOT and outputs, a fixed
    /// continuation probability. A session of K turns lasts K R + (K - 1) D
    /// (R the response time, D the think time); requests arrive at rate λ E[K].
    @Test(.statistics, .background, .tags(.statistics)) func meanSessionDurationAndRequestRateMatchTheirClosedForms() throws {
        let (lambda, ttft, tpot, output, think, continuation, conversational, maxTurns, duration) =
            (2.0, 0.3, 0.02, 100.0, 3.0, 0.5, 0.6, 12, 4000.0)
        let yaml = """
            workload:
              total_duration: \(duration)
              random_seed: 7
              max_turns_per_session: \(maxTurns)
              warm_start: true
              bytes_per_token_estimate_for_network: 0
              network: {latency_s: 0, bandwidth_bps: 1.0e9}
              service_model:
                ttft_s_dist_config: {type: Constant, value: \(ttft)}
                tpot_s_dist_config: {type: Constant, value: \(tpot)}
              client_profiles:
                - profile_name: closed
                  inter_arrival_time_dist_config: {type: Exponential, rate: \(lambda)}
                  prompt_tokens_dist_config: {type: Constant, value: 50}
                  max_output_tokens_dist_config: {type: Constant, value: \(output)}
                  conversational_probability: \(conversational)
                  continuation_probability: \(continuation)
                  streaming_response_probability: 1
                  follow_up_after: completion
                  follow_up_inter_arrival_time_dist_config: {type: Constant, value: \(think)}
            """
        let configuration = try Configuration.parse(yaml: yaml)
        // The turn count: 1 (not conversational), else 2 + a geometric number of continuations, capped.
        var probabilities = [Double](repeating: 0, count: maxTurns + 1)
        probabilities[1] = 1 - conversational
        for k in 2..<maxTurns { probabilities[k] = conversational * pow(continuation, Double(k - 2)) * (1 - continuation) }
        probabilities[maxTurns] = conversational * pow(continuation, Double(maxTurns - 2))
        let meanTurns = probabilities.indices.reduce(0.0) { $0 + Double($1) * probabilities[$1] }
        let meanSquareTurns = probabilities.indices.reduce(0.0) { $0 + Double($1 * $1) * probabilities[$1] }
        let response = ttft + output * tpot
        let expectedDuration = meanTurns * response + (meanTurns - 1) * think
        let expectedRate = lambda * meanTurns

        var engine = WorkloadEngine(spec: configuration.workload)
        var started: [UInt64: VirtualNanoseconds] = [:]
        var durations: [Double] = []
        var requests = 0
        let longest = Double(maxTurns) * response + Double(maxTurns - 1) * think
        let lastStart = VirtualNanoseconds((duration - longest - 1) * 1e9)
        while let event = engine.next() {
            switch event {
            case .sessionStarted(let e) where e.beganAt == nil && e.time < lastStart: started[e.sessionID] = e.time
            case .request: requests += 1
            case .sessionEnded(let e):
                if let start = started.removeValue(forKey: e.sessionID) { durations.append(Double(e.time - start) / 1e9) }
            default: break
            }
        }
        #expect(started.isEmpty, "every session begun before \(lastStart) ns ended within the run")
        let moments = GoodnessOfFit.sampleMoments(durations)
        let rate = Double(requests) / duration
        // The request count is a compound Poisson sum: Var = λ T E[K^2].
        let rateError = (lambda * meanSquareTurns / duration).squareRoot()
        print("closed form: duration \(moments.mean) ± \(moments.meanError) s vs \(expectedDuration) (n = \(durations.count)); rate \(rate) ± \(rateError)/s vs \(expectedRate)")
        #expect(abs(moments.mean - expectedDuration) < 4 * moments.meanError, "duration \(moments.mean) ± \(moments.meanError) vs \(expectedDuration)")
        #expect(abs(rate - expectedRate) < 4 * rateError, "rate \(rate) ± \(rateError) vs \(expectedRate)")
    }

    /// The same configuration gives the same bytes; the service model moves no other draw:
    /// the example with and without it has the same turn-1 requests.
    @Test func streamIsDeterministicAndTheModelMovesNoOtherDraw() throws {
        let configuration = try Self.chatClosed(duration: 300)
        #expect(Self.lines(configuration) == Self.lines(configuration))

        var example = try Configuration.load(path: repositoryRoot.appendingPathComponent("config/example.yaml").path)
        example.override(duration: 300, seed: 42)
        var modeled = example
        modeled.workload.serviceModel = configuration.workload.serviceModel
        // Send-anchored with a service model: the requests and sessions are the example's own, byte for
        // byte (but the seq numbers, and the instant of the horizon's closing: after the last completion).
        let strip = { (line: Substring) in line.replacingOccurrences(of: #""seq":\d+"#, with: "", options: .regularExpression) }
        let kept = { (lines: [Substring]) in
            lines.filter { !$0.contains("\"type\":\"completion\"") && !$0.contains("\"reason\":\"horizon\"") }.map(strip)
        }
        let plain = kept(Self.lines(example)), withModel = kept(Self.lines(modeled))
        let differing = zip(plain, withModel).filter { $0 != $1 }.count
        #expect(plain.count > 2_000 && plain.count == withModel.count && differing == 0, "\(plain.count) vs \(withModel.count), \(differing) differ")

        // Completion-anchored: every first turn is the send-anchored stream's (same sessions, same draws).
        let anchored = try Self.chatClosed(duration: 300)
        var sendAnchored = anchored
        sendAnchored.workload.profiles[0].followUpAfter = .send
        sendAnchored.workload.serviceModel = nil
        let firstTurns = { (lines: [Substring]) in
            lines.filter { $0.contains("\"type\":\"request\"") && $0.contains("\"turn\":1,") }.map(strip)
        }
        let a = firstTurns(Self.lines(anchored)), b = firstTurns(Self.lines(sendAnchored))
        let firstDiffering = zip(a, b).filter { $0 != $1 }.count
        #expect(a.count > 1_000 && a.count == b.count && firstDiffering == 0, "\(a.count) vs \(b.count), \(firstDiffering) differ")
    }
}

extension CompletionAnchorTests {
    /// Warm start with completion anchoring: the burn-in follows the same rule, every
    /// session still keeps its order (started, its turns and completions, ended at its
    /// last completion), and a checkpoint cut at 16 points continues byte for byte.
    @Test(.statistics, .background, .tags(.statistics)) func warmStartKeepsSessionsOrderedAndCheckpointsContinueExactly() throws {
        var configuration = try Self.chatClosed(duration: 300, seed: 5)
        configuration.workload.warmStart = true
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        func line(_ event: Event) -> [UInt8] {
            var writer = ByteWriter()
            encoder.encode(event, into: &writer)
            return writer.bytes
        }
        var reference = WorkloadEngine(spec: configuration.workload)
        var events: [Event] = []
        while let event = reference.next() { events.append(event) }
        let expected = events.map(line)

        var open: [UInt64: Int32] = [:]
        var announced = 0, dependingOnTheBurnIn = 0, endedAtCompletion = 0, lastCompletion: [UInt64: VirtualNanoseconds] = [:]
        for event in events {
            switch event {
            case .sessionStarted(let e):
                #expect(open[e.sessionID] == nil)
                open[e.sessionID] = 0
                if e.beganAt != nil { announced += 1; open[e.sessionID] = -1 }
            case .request(let e):
                #expect(open[e.sessionID] != nil)
                if open[e.sessionID] == -1 && e.turn >= 2 { dependingOnTheBurnIn += 1 }
                open[e.sessionID] = e.turn
            case .completion(let e):
                #expect(open[e.sessionID] != nil, "a completion of an open session")
                lastCompletion[e.sessionID] = e.time
            case .sessionEnded(let e):
                #expect(open.removeValue(forKey: e.sessionID) != nil)
                if lastCompletion[e.sessionID] == e.time { endedAtCompletion += 1 }
            }
        }
        #expect(open.isEmpty)
        #expect(announced > 100 && dependingOnTheBurnIn > 50, "\(announced) sessions in progress at 0, \(dependingOnTheBurnIn) depend on the burn-in")
        #expect(endedAtCompletion > events.count / 10, "\(endedAtCompletion)")

        var rng = Xoshiro256(seed: 23)
        var cuts = Set([0, 1, 2, expected.count - 3, expected.count - 1, expected.count])
        while cuts.count < 16 { cuts.insert(Int(rng.nextBelow(UInt64(expected.count)))) }
        var engine = WorkloadEngine(spec: configuration.workload)
        var produced: [[UInt8]] = []
        var index = 0
        while true {
            if cuts.contains(index) { engine = try WorkloadEngine(spec: configuration.workload, restoring: engine.checkpoint()) }
            guard let event = engine.next() else { break }
            produced.append(line(event))
            index += 1
        }
        let firstDifference = produced.indices.first { $0 >= expected.count || produced[$0] != expected[$0] }
        #expect(produced.count == expected.count && firstDifference == nil, "event \(firstDifference ?? -1) differs")
    }
}

extension DaemonIntegrationTests {
    @Suite("run --shard k/n with completion anchoring")
    struct CompletionSharding {
        @Test("chat-closed, 300 s: the union of shards 0/2 and 1/2 is the single stream, equal to generate's, completions included")
        func unionOfTwoShards() async throws {
            var configuration = try Configuration.load(path: daemonRepositoryRoot.appendingPathComponent("config/chat-closed.yaml").path)
            configuration.override(duration: 300, seed: 9)
            configuration.clock.startUnixNanoseconds = fixedClockStart
            let (generated, single, shards) = try await Sharding.generatedSingleAndShards(configuration, count: 2)
            #expect(single.status == 0 && shards.map(\.status) == [0, 0])
            #expect(single.lines == generated, "one instance writes exactly what generate writes")
            let merged = (shards[0].lines + shards[1].lines).sorted { (Sharding.seq($0) ?? 0) < (Sharding.seq($1) ?? 0) }
            #expect(merged.count == single.lines.count && merged == single.lines)
            #expect(generated.contains { $0.contains("\"type\":\"completion\"") })
        }
    }
}

extension DaemonIntegrationTests {
    @Suite("run → Kafka with completion events")
    struct CompletionRoundTrip {
        @Test("chat-closed at max speed: completions on llm.completions keyed by session ID, watermarked, the rest as before",
              .timeLimit(.minutes(10)))
        func completionsGoToTheirTopic() async throws {
            let fixture = try DaemonKafkaFixture(completionPartitions: 5)
            var configuration = try Configuration.load(path: daemonRepositoryRoot.appendingPathComponent("config/chat-closed.yaml").path)
            configuration.override(duration: 60, seed: 3)
            configuration.clock.startUnixNanoseconds = fixedClockStart
            configuration.metrics.listen = "127.0.0.1:0"
            configuration = fixture.configure(configuration)
            #expect(configuration.kafka.topics.inUse == ["llm.requests", "llm.sessions", "llm.completions"])
            let expected = try generatedLines(configuration)
            configuration.clock.mode = .accelerated
            configuration.clock.speed = nil
            let started = Date()
            let (status, records) = try await onThread { [configuration] in
                let run = DaemonRun(configuration: configuration, options: RunOptions())
                let status = run.waitForStatus(timeout: 60)
                return (status, try fixture.consume(expecting: expected))
            }
            #expect(status == 0)
            // Every record on its topic (completions on llm.completions), keyed by session ID, at its
            // murmur2 partition, exactly generate's lines, and watermarks monotone on every partition.
            let facts = try checkKafkaStream(records, expectedLines: expected, runID: configuration.runID,
                                             topics: fixture.topics, partitions: fixture.partitions, producedDuring: started...Date())
            let completions = records.filter { $0.topic == "llm.completions" && $0.header("event-type") == Array("completion".utf8) }
            let expectedCompletions = expected.filter { $0.contains("\"type\":\"completion\"") }.count
            let completionWatermarks = records.filter { $0.topic == "llm.completions" && $0.header("event-type") == Array("watermark".utf8) }
            print("completion round trip: \(facts.dataRecords) data records, \(completions.count) completions on llm.completions, \(completionWatermarks.count) watermarks there")
            #expect(facts.dataRecords == expected.count)
            #expect(expectedCompletions > 200 && completions.count == expectedCompletions)
            #expect(Set(completionWatermarks.map(\.partition)) == Set(0..<5), "watermarks on every partition of the completions topic")
        }
    }
}
