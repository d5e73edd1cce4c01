import Foundation
import Testing
import TestSupport

/// `generate --format agentic-mooncake`: Dynamo's agentic Mooncake rows carry
/// each request's dependencies exactly, and Dynamo's own replay reads them.
@Suite(.timeLimit(.minutes(10))) struct AgentExportTests {
    /// Five minutes of config/coding-agent.yaml, as our events and as agentic rows.
    static func generate() async throws -> (events: [Substring], rows: URL) {
        let rows = try temporaryFile("agentic.jsonl")
        let config = repositoryRoot.appendingPathComponent("config/coding-agent.yaml").path
        let export = try await runCLI(["generate", "--config", config, "--duration", "300", "--format", "agentic-mooncake", "--out", rows.path])
        #expect(export.status == 0, "\(export.stderr.prefix(400))")
        let stream = try await runCLI(["generate", "--config", config, "--duration", "300"])
        #expect(stream.status == 0)
        return (stream.output.split(separator: "\n"), rows)
    }

    static func rows(_ file: URL) throws -> (header: [String: Any], rows: [[String: Any]]) {
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (objects[0], Array(objects.dropFirst()))
    }

    @Test func rowsCarryEveryRequestsDependencies() async throws {
        let (events, file) = try await Self.generate()
        let (header, rows) = try Self.rows(file)
        #expect(header["schema"] as? String == "dynamo.agentic_mooncake" && header["version"] as? Int == 2 && header["block_size"] as? Int == 512)
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["request_id"] as! String, $0) })
        var requests = 0, dependent = 0
        for line in events {
            let fields = RawJSONFields(line)
            guard fields.string("type") == "request", let id = fields.string("request_id") else { continue }
            requests += 1
            guard let row = byID[id] else {
                Issue.record("\(id): no row")
                continue
            }
            #expect(row["input_length"] as? Int64 == fields.integer("prompt_tokens") && row["output_length"] as? Int64 == fields.integer("output_tokens"))
            #expect(row["session_id"] as? String == fields.string("session_id"))
            let dependencies = row["dependencies"] as! [[String: Any]]
            let named = dependencies.map { $0["request_id"] as! String }
            #expect(Set(named) == Set(fields.requestIDs("depends_on") ?? []), "\(id): \(named)")
            if let delay = fields.nanoseconds("delay_s") {
                dependent += 1
                for dependency in dependencies {
                    let milliseconds = (dependency["delay_ms"] as! NSNumber).doubleValue
                    #expect(abs(milliseconds * 1e6 - Double(delay)) < 1, "\(id): delay_ms \(milliseconds), delay_s \(delay) ns")
                    #expect(dependency["trigger"] as? String == "completion")
                }
            } else {
                let notBefore = (row["not_before_ms"] as! NSNumber).doubleValue
                #expect(abs(notBefore * 1e6 - Double(fields.nanoseconds("sent_at_s")!)) < 1, "\(id): not_before_ms \(notBefore)")
            }
        }
        #expect(rows.count == requests && dependent > 100, "\(rows.count) rows, \(requests) requests, \(dependent) with dependencies")
    }

    /// Every event of an agent stream matches the JSON Schema, which can fail (a `call_kind`
    /// it does not know, a negative `call`).
    @Test(.needs(.pythonJSONSchema)) func agentEventsMatchTheJSONSchema() async throws {
        let python = try ExternalTool.pythonJSONSchema.require()
        let file = try temporaryFile("coding-agent-300.jsonl")
        let generate = try await runCLI(["generate", "--config", "config/coding-agent.yaml", "--duration", "300", "--out", file.path])
        #expect(generate.status == 0, "\(generate.stderr.prefix(300))")
        let schema = repositoryRoot.appendingPathComponent("Sources/WorkloadModel/Encoding/events.schema.json").path
        let script = """
            import json, sys, jsonschema
            v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            kinds = {}
            for line in open(sys.argv[2]):
                event = json.loads(line)
                errors = list(v.iter_errors(event))
                if errors:
                    print("INVALID", errors[0].message); sys.exit(1)
                key = event["type"] + ":" + event.get("call_kind", "") + ("+root" if "root_session_id" in event else "")
                kinds[key] = kinds.get(key, 0) + 1
            request = next(json.loads(l) for l in open(sys.argv[2]) if '"call_kind"' in l)
            broken = [dict(request, call_kind="tool"), dict(request, call=-1), dict(request, tool_calls=300)]
            if sum(1 for b in broken if list(v.iter_errors(b))) != len(broken):
                print("the schema accepts a broken agent request"); sys.exit(1)
            print(json.dumps(kinds, sort_keys=True))
            """
        let run = try await runProcess(python, ["-c", script, schema, file.path], timeout: 120)
        #expect(run.status == 0, "\(run.output)\(run.stderr.prefix(400))")
        for kind in ["request:user", "request:agent", "request:subagent+root", "session_started:+root", "completion:+root"] {
            #expect(run.output.contains("\"\(kind)\""), "\(kind) in \(run.output)")
        }
    }

    /// Dynamo's replay (its native runtime, `run_mocker_trace_replay`) reads the rows and
    /// simulates every request, each after its dependencies completed (+ their delay).
    @Test(.needs(.dynamoReplay)) func dynamosReplayReadsTheRows() async throws {
        let python = try ExternalTool.dynamoReplay.require()
        let (_, file) = try await Self.generate()
        let report = try temporaryFile("agentic-report.jsonl")
        let script = """
            import sys
            from dynamo import _core
            _core.run_mocker_trace_replay([sys.argv[1]], trace_format="agentic_mooncake", trace_block_size=512,
                                          model_name="coding_agent", execution_model="coding_agent",
                                          capture_per_request=True, report_jsonl_path=sys.argv[2])
            """
        let run = try await runProcess(python, ["-c", script, file.path, report.path], timeout: 300)
        #expect(run.status == 0, "\(run.stderr.prefix(800))")
        let (_, rows) = try Self.rows(file)
        let lines = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
        let simulated = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let byID = Dictionary(uniqueKeysWithValues: simulated.map { ($0["request_id"] as! String, $0) })
        #expect(Set(byID.keys) == Set(rows.map { $0["request_id"] as! String }), "\(byID.count) simulated of \(rows.count)")
        var honoured = 0
        for row in rows {
            guard let mine = byID[row["request_id"] as! String], let arrival = (mine["arrival_time_ms"] as? NSNumber)?.doubleValue else { continue }
            for dependency in row["dependencies"] as! [[String: Any]] {
                guard let done = (byID[dependency["request_id"] as! String]?["terminal_time_ms"] as? NSNumber)?.doubleValue else { continue }
                let delay = (dependency["delay_ms"] as! NSNumber).doubleValue
                #expect(arrival >= done + delay - 1e-3, "\(row["request_id"]!): arrives \(arrival) before \(done) + \(delay)")
                honoured += 1
            }
        }
        print("dynamo replay: \(simulated.count) requests simulated, \(honoured) dependencies honoured")
        #expect(honoured > 100)
    }
}
