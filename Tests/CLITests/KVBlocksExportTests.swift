import Foundation
import Testing
import TestSupport
import WorkloadDaemon
import WorkloadModel

/// Export round trip for a generated stream: `generate --format mooncake` of
/// a configuration with `kv_blocks` (config/prefixes.yaml), replayed, gives back
/// the stream's timestamps (to the ms), token counts and hash_ids; the Azure
/// export its times (to 100 ns) and tokens.
@Suite(.timeLimit(.minutes(10))) struct KVBlocksExportTests {
    static let config = repositoryRoot.appendingPathComponent("config/prefixes.yaml").path
    static let duration = "60"

    /// A request of the JSON Lines stream: time_s in ns (read from its digits), tokens, hash_ids.
    struct Request {
        var time: Int64
        var prompt: Int64
        var output: Int64
        var hashIDs: [Int64]
    }

    static func nanoseconds(_ text: String) -> Int64 {
        let parts = text.split(separator: ".")
        let fraction = parts.count > 1 ? String(parts[1]).padding(toLength: 9, withPad: "0", startingAt: 0) : "0"
        return Int64(parts[0])! * 1_000_000_000 + Int64(fraction)!
    }

    /// The requests `generate` writes as JSON Lines (the reference the exports are checked against).
    static func streamRequests() async throws -> [Request] {
        let result = try await runCLI(["generate", "-c", config, "--duration", duration])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: 0x0A).compactMap { line in
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("{\"type\":\"request\""), let start = text.range(of: ",\"time_s\":") else { return nil }
            let object = try! JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            func int(_ key: String) -> Int64 { (object[key] as! NSNumber).int64Value }
            return Request(time: nanoseconds(String(text[start.upperBound...].prefix { $0 != "," })),
                           prompt: int("prompt_tokens"), output: int("output_tokens"),
                           hashIDs: (object["hash_ids"] as! [NSNumber]).map(\.int64Value))
        }
    }

    /// Mooncake's integer ms of a time, rounded half up as the writer does.
    static func ms(_ nanoseconds: Int64) -> Int64 { (nanoseconds + 500_000) / 1_000_000 }

    @Test func mooncakeExportReplaysToTheSameMillisecondsTokensAndHashIDs() async throws {
        let original = try await Self.streamRequests()
        #expect(original.count > 300, "about 3 sessions a second with follow-up turns over 60 s")
        #expect(original.allSatisfy { $0.hashIDs.count == Int(($0.prompt + 511) / 512) }, "one ID per 512-token block")

        let exported = try temporaryFile("kv-export.mooncake.jsonl")
        let result = try await runCLI(["generate", "-c", Self.config, "--duration", Self.duration, "--format", "mooncake", "-o", exported.path])
        #expect(result.status == 0, "\(result.stderr)")
        // The file's own timestamps: each request's time_s in integer ms.
        let rows = try TraceFixtures.mooncakeRows(exported.path)
        #expect(rows.map { $0.0 / 1_000_000 } == original.map { Self.ms($0.time) })

        let again = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(exported.path, "mooncake")))
        #expect(again.count == original.count)
        let first = Self.ms(original[0].time)
        var differing = 0
        for (a, (b, ids)) in zip(original, again) {
            let sameTime = b.time == (Self.ms(a.time) - first) * 1_000_000 && abs(b.time - (a.time - original[0].time)) <= 1_000_000
            if !sameTime || b.promptTokens != a.prompt || b.outputTokens != a.output || ids != a.hashIDs { differing += 1 }
        }
        #expect(differing == 0, "\(differing) of \(original.count) requests differ after the round trip")
    }

    /// An interpreter with PyPI's `aiperf` (not installed in CI: it is heavy).
    static let aiperfPython = ProcessInfo.processInfo.environment["AIPERF_PYTHON"]

    @Test(.enabled(if: aiperfPython != nil, "set AIPERF_PYTHON to a python that has aiperf"))
    func aiperfsMooncakeLoaderReadsTheExport() async throws {
        let exported = try temporaryFile("kv-export-aiperf.mooncake.jsonl")
        let result = try await runCLI(["generate", "-c", Self.config, "--duration", Self.duration, "--format", "mooncake", "-o", exported.path])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try TraceFixtures.mooncakeRows(exported.path).count
        let check = try await runProcess(Self.aiperfPython ?? "python3",
                                   [repositoryRoot.appendingPathComponent("Tests/Fixtures/aiperf/mooncake_check.py").path, exported.path],
                                   timeout: 300)
        let text = check.output
        #expect(check.status == 0, "\(text)\(check.stderr)")
        #expect(text.contains("can_load=True loaded=\(rows) skipped=0"), "\(text)")
    }

    @Test func azureExportReplaysToTheSameTimesAndTokens() async throws {
        let original = try await Self.streamRequests()
        let exported = try temporaryFile("kv-export.azure.csv")
        let result = try await runCLI(["generate", "-c", Self.config, "--duration", Self.duration, "--format", "azure", "-o", exported.path])
        #expect(result.status == 0, "\(result.stderr)")
        let again = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(exported.path, "azure")))
        #expect(again.count == original.count)
        // Azure keeps 100 ns digits: each time is rounded to them.
        let differing = zip(original, again).filter { a, b in
            abs((a.time - original[0].time) - b.0.time) > 100 || b.0.promptTokens != a.prompt || b.0.outputTokens != a.output
        }
        #expect(differing.isEmpty, "\(differing.count) of \(original.count) requests differ")
    }
}
