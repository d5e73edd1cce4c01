import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadModel

/// `config/chat-closed.yaml` through the command line: the schema of its
/// events, and the figures `validate` and `stats` give for completion anchoring.
@Suite(.timeLimit(.minutes(10))) struct CompletionStreamCLITests {
    static func pythonCheck(_ script: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "120", "python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(.needs(.pythonJSONSchema), .timeLimit(.minutes(10))) func completionsAndDependenciesMatchTheJSONSchema() async throws {
        let file = try temporaryFile("chat-closed-120.jsonl")
        let generate = try await runCLI(["generate", "--config", "config/chat-closed.yaml", "--duration", "120", "--out", file.path], timeout: 120)
        #expect(generate.status == 0, "\(generate.stderr.prefix(300))")
        let schema = repositoryRoot.appendingPathComponent("Sources/WorkloadModel/Encoding/events.schema.json").path
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            counts = {}
            for line in open(sys.argv[2]):
                event = json.loads(line)
                errors = list(v.iter_errors(event))
                if errors:
                    print("INVALID", errors[0].message); sys.exit(1)
                kind = event["type"] + ("+depends_on" if "depends_on" in event else "")
                counts[kind] = counts.get(kind, 0) + 1
            # The schema can fail: a completion without its first token, a dependency without its delay.
            completion = {"type": "completion", "schema_version": 1, "run_id": "r", "seq": 1, "time_s": 1.0,
                          "time": "1970-01-01T00:00:01.000000Z", "request_id": "0123456789abcdef-1",
                          "session_id": "0123456789abcdef", "client_id": "c", "profile": "p", "turn": 1,
                          "output_tokens": 5, "status": "ok"}
            broken = [completion, dict(completion, first_token_s=0.5, status="failed")]
            request = next(json.loads(l) for l in open(sys.argv[2]) if '"depends_on"' in l)
            del request["delay_s"]
            broken.append(request)
            rejected = sum(1 for b in broken if list(v.iter_errors(b)))
            print("valid", json.dumps(counts, sort_keys=True), "rejected", rejected)
            """
        let (status, output) = try Self.pythonCheck(script, [schema, file.path])
        #expect(status == 0 && output.contains("rejected 3"), "\(output)")
        #expect(output.contains("\"completion\"") && output.contains("\"request+depends_on\""), "\(output)")
    }

    /// "early sends   E of N later turns (P%) ..." from `stats`.
    static func earlySends(_ output: String) -> (early: Int, of: Int, line: String)? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("early sends") }) else { return nil }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        return (numbers[0], numbers[1], String(line))
    }

    /// On one hour of the send-anchored example, the share of later turns
    /// sent before the response they carry could complete (first token 0.1 s after
    /// arrival, 0.03 s per output token), as `stats` reports it and as computed here
    /// from the lines, in integer nanoseconds.
    @Test func statsReportsTheShareOfEarlySendsUnderAnAssumedService() async throws {
        let file = try temporaryFile("example-3600-early.jsonl")
        let generate = try await runCLI(["generate", "--config", "config/example.yaml", "--duration", "3600", "--out", file.path], timeout: 300)
        #expect(generate.status == 0, "\(generate.stderr.prefix(300))")
        let stats = try await runCLI(["stats", file.path, "--assume-ttft", "0.1", "--assume-tpot", "0.03"], timeout: 300)
        #expect(stats.status == 0, "\(stats.stderr.prefix(300))")
        let reported = try #require(Self.earlySends(stats.output), "\(stats.output)")

        var arrivals: [String: (arrival: Int64, output: Int64)] = [:]
        var laterTurns: [(sentAt: Int64, previous: String)] = []
        let text = try String(contentsOf: file, encoding: .utf8)
        for line in text.split(separator: "\n") where line.contains("\"type\":\"request\"") {
            let fields = RawJSONFields(line)
            let session = fields.string("session_id")!, turn = fields.integer("turn")!
            arrivals["\(session)-\(turn)"] = (fields.nanoseconds("time_s")!, fields.integer("output_tokens")!)
            if turn >= 2 { laterTurns.append((fields.nanoseconds("sent_at_s")!, "\(session)-\(turn - 1)")) }
        }
        var early = 0, known = 0
        for turn in laterTurns {
            guard let previous = arrivals[turn.previous] else { continue }
            known += 1
            if turn.sentAt < previous.arrival + 100_000_000 + previous.output * 30_000_000 { early += 1 }
        }
        print("example 1 h: stats \(reported.line); computed here \(early) of \(known) (\(100 * Double(early) / Double(known))%)")
        #expect(known > 30_000 && reported.of == known && reported.early == early, "\(reported.line) vs \(early) of \(known)")
        #expect(abs(Double(early) / Double(known) - 0.84) < 0.02, "about 84%")

        // Without completion events or an assumed service there is no share, and the two options go together.
        let bare = try await runCLI(["stats", file.path], timeout: 300)
        #expect(bare.output.contains("early sends   n/a"), "\(bare.output)")
        let half = try await runCLI(["stats", file.path, "--assume-ttft", "0.1"], timeout: 60)
        #expect(half.status == 64 && half.stderr.contains("--assume-tpot"), "\(half.status) \(half.stderr)")
        let negative = try await runCLI(["stats", file.path, "--assume-ttft", "90000", "--assume-tpot", "0.03"], timeout: 60)
        #expect(negative.status == 64 && negative.stderr.contains("--assume-ttft") && negative.stderr.contains("90000"), "\(negative.status) \(negative.stderr)")
    }

    /// Through `stats`: the completion-anchored stream sends nothing early.
    @Test func statsFindsNoEarlySendInTheCompletionAnchoredStream() async throws {
        let file = try temporaryFile("chat-closed-600.jsonl")
        let generate = try await runCLI(["generate", "--config", "config/chat-closed.yaml", "--duration", "600", "--out", file.path], timeout: 300)
        #expect(generate.status == 0)
        let stats = try await runCLI(["stats", file.path], timeout: 300)
        #expect(stats.status == 0, "\(stats.stderr.prefix(300))")
        let reported = try #require(Self.earlySends(stats.output), "\(stats.output)")
        #expect(reported.early == 0 && reported.of > 4_000 && reported.line.contains("from the completion events"), "\(reported.line)")
        #expect(stats.output.contains("completions   "), "\(stats.output)")
    }

    /// `validate` with a service model: per profile the modeled response time (its mean
    /// checked against the closed form, E[TTFT] + E[new input] / prefill rate + E[output]
    /// E[TPOT], within 4 standard errors of a 20,000-request simulation), and for a
    /// send-anchored profile the share of early sends as a warning.
    @Test func validatePrintsResponseTimesAndWarnsOfEarlySends() async throws {
        let closed = try await runCLI(["validate", "--config", "config/chat-closed.yaml"], timeout: 120)
        #expect(closed.status == 0, "\(closed.stderr.prefix(300))")
        let line = try #require(closed.output.split(separator: "\n").first { $0.contains("response time (completion - arrival) mean") }, "\(closed.output)")
        let mean = try #require(Double(line.components(separatedBy: "mean ")[1].components(separatedBy: " s")[0]), "\(line)")
        // LogNormal TTFT mean 0.4, std 0.3; TPOT Uniform(0.02, 0.04); outputs uniform integers 100..500;
        // new input LogNormal mean 128; prefill 20000 tokens/s.
        let tpotMean = 0.03, tpotVariance = 0.02 * 0.02 / 12
        let outputMean = 300.0, outputVariance = (401.0 * 401.0 - 1) / 12
        let expected = 0.4 + 128.0 / 20_000 + outputMean * tpotMean
        let variance = 0.3 * 0.3 + (outputVariance + outputMean * outputMean) * (tpotVariance + tpotMean * tpotMean) - pow(outputMean * tpotMean, 2)
        let standardError = (variance / 20_000).squareRoot()
        print("validate chat-closed: \(line); closed form \(expected) ± \(standardError)")
        #expect(abs(mean - expected) < 4 * standardError, "\(mean) vs \(expected) ± \(standardError)")
        #expect(!closed.output.contains("warning: "), "a completion-anchored profile sends nothing early")

        // The example, send-anchored, with a service model of 0.1 s to the first token and 0.03 s per token.
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "workload:\n", with: "workload:\n  service_model: {ttft_s_dist_config: {type: Constant, value: 0.1}, tpot_s_dist_config: {type: Constant, value: 0.03}}\n")
        let file = try temporaryFile("example-with-model.yaml", contents: text)
        let open = try await runCLI(["validate", "--config", file.path], timeout: 120)
        #expect(open.status == 0, "\(open.stderr.prefix(300))")
        let warning = try #require(open.output.split(separator: "\n").first { $0.contains("warning: ") && $0.contains("sent before the previous response") }, "\(open.output)")
        let share = try #require(Double(warning.components(separatedBy: "warning: ")[1].components(separatedBy: "%")[0]))
        print("validate example with a model: \(warning)")
        // The one-hour stream's share under the same service is 84.1% (the stats test): a proportion
        // over about 13,000 later turns is within about 1.3 points at 4 standard errors.
        #expect(abs(share - 84.1) < 1.5, "\(share)%")
    }

    /// `fit` of our own chat-closed stream (with completions) anchors follow-ups on
    /// completions and recovers the think-time mean and the TPOT mean within 5% (of the
    /// configuration's 5 s and 0.03 s; at 20 minutes the think-time sample's standard error
    /// is about 1%). A trace without latencies keeps send-anchored gaps and says so.
    @Test func fitRecoversThinkTimeAndTPOTFromOurStream() async throws {
        let trace = try temporaryFile("chat-closed-1200.jsonl")
        let generate = try await runCLI(["generate", "--config", "config/chat-closed.yaml", "--duration", "1200", "--out", trace.path], timeout: 300)
        #expect(generate.status == 0)
        let out = try temporaryFile("chat-closed-fitted.yaml")
        let fit = try await runCLI(["fit", trace.path, "--format", "jsonl", "--out", out.path], timeout: 480)
        #expect(fit.status == 0, "\(fit.stderr.prefix(400))")
        let fitted = try Configuration.load(path: out.path)
        let profile = try #require(fitted.workload.profiles.first)
        let model = try #require(fitted.workload.serviceModel(ofProfile: 0), "a service model is fitted")
        let think = profile.followUp.mean, tpot = model.timePerOutputToken.mean, ttft = model.timeToFirstToken.mean
        print("fit of chat-closed: follow_up_after \(profile.followUpAfter.rawValue), think mean \(think) s (5), TPOT mean \(tpot) s (0.03), TTFT mean \(ttft) s (0.4 + prefill)")
        #expect(profile.followUpAfter == .completion)
        #expect(abs(think / 5 - 1) < 0.05, "think time mean \(think)")
        #expect(abs(tpot / 0.03 - 1) < 0.05, "TPOT mean \(tpot)")
        #expect(model.emitCompletions)

        let plain = try temporaryFile("example-300.jsonl")
        #expect(try await runCLI(["generate", "--config", "config/example.yaml", "--duration", "300", "--out", plain.path], timeout: 120).status == 0)
        let plainOut = try temporaryFile("example-fitted.yaml")
        let plainFit = try await runCLI(["fit", plain.path, "--format", "jsonl", "--out", plainOut.path], timeout: 480)
        #expect(plainFit.status == 0, "\(plainFit.stderr.prefix(400))")
        let text = try String(contentsOf: plainOut, encoding: .utf8)
        #expect(text.contains("no response times") && text.contains("follow_up_after: send") && !text.contains("service_model:"))
    }
}
