import Foundation
import Testing
import TestSupport
import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces

/// The example config, 3600 s, seed 1, through `generate`'s writer.
@Suite(.timeLimit(.minutes(10))) struct ExampleStreamTests {
    // Read-only after its one-time, thread-safe lazy initialisation.
    nonisolated(unsafe) static let lines: [[String: Any]] = written.map { try! JSONSerialization.jsonObject(with: $0) as! [String: Any] }

    /// The lines as `generate` wrote them.
    static let written: [Data] = {
        var configuration = try! Configuration.load(path: repositoryRoot.appendingPathComponent("config/example.yaml").path)
        configuration.override(duration: 3600, seed: 1)
        let file = try! temporaryFile("example-3600.jsonl")
        _ = try! StreamGenerator.write(configuration, to: FileOutput(path: file.path))
        return JSONLines.lines(try! Data(contentsOf: file))
    }()

    func int(_ object: [String: Any], _ key: String) -> Int { (object[key] as! NSNumber).intValue }

    @Test func sessionsArriveAtFivePerSecond() {
        let started = Self.lines.filter { $0["type"] as? String == "session_started" }
        let rate = Double(started.count) / 3600
        #expect(abs(rate - 5) / 5 < 0.03, "rate \(rate)")
        // About 60% conversational: 4 standard errors of a proportion.
        let conversational = Double(started.filter { $0["conversational"] as? Bool == true }.count) / Double(started.count)
        #expect(abs(conversational - 0.6) < 4 * (0.6 * 0.4 / Double(started.count)).squareRoot(), "\(conversational)")
    }

    @Test func firstTurnPromptsHaveMean128AndStd64() {
        let prompts = Self.lines.filter { $0["type"] as? String == "request" && int($0, "turn") == 1 }.map { Double(int($0, "prompt_tokens")) }
        let mean = prompts.reduce(0, +) / Double(prompts.count)
        let std = (prompts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(prompts.count - 1)).squareRoot()
        #expect(abs(mean - 128) / 128 < 0.03, "mean \(mean)")
        #expect(abs(std - 64) / 64 < 0.06, "std \(std)")
    }

    @Test func maxOutputTokensAreUniformIntegersOn100To500() {
        let requests = Self.lines.filter { $0["type"] as? String == "request" }
        var counts = [Int](repeating: 0, count: 401)
        for request in requests {
            let value = request["max_output_tokens"] as! NSNumber
            #expect(Double(value.intValue) == value.doubleValue)
            #expect((100...500).contains(value.intValue))
            if (100...500).contains(value.intValue) { counts[value.intValue - 100] += 1 }
        }
        #expect(counts.first! > 0 && counts.last! > 0)
        // Chi-square with 400 dof; 1% critical value 468.7 (Wilson-Hilferty).
        let expected = Double(requests.count) / 401
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 < 468.7, "chi2 \(chi2) over \(requests.count) requests")
    }

    @Test func aboutNinetyPercentStream() {
        let requests = Self.lines.filter { $0["type"] as? String == "request" }
        let share = Double(requests.filter { $0["streaming"] as? Bool == true }.count) / Double(requests.count)
        #expect(abs(share - 0.9) < 4 * (0.09 / Double(requests.count)).squareRoot(), "\(share)")
    }

    @Test func everyLaterTurnAccumulatesExactly() {
        var last: [String: [String: Any]] = [:]
        var checked = 0
        for line in Self.lines where line["type"] as? String == "request" {
            let session = line["session_id"] as! String
            if let previous = last[session] {
                #expect(int(line, "turn") == int(previous, "turn") + 1)
                #expect(int(line, "prompt_tokens") == int(previous, "prompt_tokens") + int(previous, "output_tokens") + int(line, "new_input_tokens"))
                #expect(int(line, "prefix_tokens") == int(previous, "prompt_tokens") + int(previous, "output_tokens"))
                checked += 1
            }
            last[session] = line
        }
        #expect(checked > 10_000)
    }

    /// python3's jsonschema is not part of the README's setup line (see `ExternalTool`).
    @Test(.needs(.pythonJSONSchema), .timeLimit(.minutes(10)))
    func everyEventMatchesTheJSONSchema() async throws {
        // Validated by the reference implementation of JSON Schema (python-jsonschema).
        let file = try temporaryFile("schema-sample.jsonl")
        // The bytes as written (a JSON round trip here would take seconds and could hide how they are written).
        let sample = Self.written.prefix(20_000).map { String(decoding: $0, as: UTF8.self) }
        let watermark = #"{"type":"watermark","schema_version":1,"run_id":"r","after_seq":3,"time_s":1.5,"time":"1970-01-01T00:00:01.500000Z","topic":"llm.requests","partition":0,"shard":0,"shards":1}"#
        let last = #"{"type":"watermark","schema_version":1,"run_id":"r","after_seq":9,"time_s":2.5,"time":"1970-01-01T00:00:02.500000Z","topic":"llm.requests","partition":0,"shard":1,"shards":3,"final":true}"#
        let broken = #"{"type":"request","schema_version":1,"run_id":"r","seq":1,"time_s":1,"time":"1970-01-01T00:00:01.000000Z"}"#
        try (sample + [watermark, last]).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let bad = try temporaryFile("schema-bad.jsonl", contents: broken)
        let schema = repositoryRoot.appendingPathComponent("Sources/WorkloadModel/Encoding/events.schema.json").path
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            n = 0
            for line in open(sys.argv[2]):
                errors = list(v.iter_errors(json.loads(line)))
                if errors:
                    print("INVALID", errors[0].message); sys.exit(1)
                n += 1
            print("valid", n)
            """
        func validate(_ path: String) async throws -> (Int32, String) {
            let result = try await runProcess(try ExternalTool.pythonJSONSchema.require(), ["-c", script, schema, path], timeout: 60)
            return (result.status, result.output + result.stderr)
        }
        let good = try await validate(file.path)
        #expect(good.0 == 0 && good.1.contains("valid 20002"), "\(good.1)")
        // The schema can fail: a request without its fields is rejected.
        let rejected = try await validate(bad.path)
        #expect(rejected.0 == 1 && rejected.1.contains("INVALID"), "\(rejected.1)")
    }
}
