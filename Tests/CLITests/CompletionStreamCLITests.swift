import Foundation
import Testing

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

    @Test func completionsAndDependenciesMatchTheJSONSchema() throws {
        let file = try temporaryFile("chat-closed-120.jsonl")
        let generate = try runCLI(["generate", "--config", "config/chat-closed.yaml", "--duration", "120", "--out", file.path], timeout: 120)
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
}
