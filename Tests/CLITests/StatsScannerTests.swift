import Foundation
import Testing

/// `stats` reads lines with the trace readers' scanner: its report is the one
/// the JSONSerialization reader printed for the same stream, kept in
/// Tests/Fixtures/stats (written by that reader, before the change).
@Suite(.timeLimit(.minutes(10))) struct StatsScannerTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/stats")

    /// Every event type of a generated stream (completions, depends_on, routing
    /// tags with null adapters, reasoning and image tokens, hash_ids, warm-start
    /// sessions) and hand-written lines: a watermark, a skipped marker, escaped
    /// strings, nested objects, spaces and a CR, exponents, -0, a 20-digit integer.
    static func stream(completions: Bool) async throws -> URL {
        let generated = try await runCLI(["generate", "-c", fixtures.appendingPathComponent("every-event.yaml").path])
        #expect(generated.status == 0, "\(generated.stderr)")
        var text = String(decoding: generated.stdout, as: UTF8.self)
        if !completions {
            text = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("{\"type\":\"completion\"") }.joined(separator: "\n")
        }
        text += try String(contentsOf: fixtures.appendingPathComponent("extra-lines.jsonl"), encoding: .utf8)
        return try temporaryFile(completions ? "every-event.jsonl" : "every-event-no-completions.jsonl", contents: text)
    }

    @Test(arguments: [
        ([String](), true, "every-event.stats.txt"),
        (["--kv-cache-blocks", "40"], true, "every-event.kv40.stats.txt"),
        (["--assume-ttft", "0.5", "--assume-tpot", "0.01"], false, "every-event.assumed.stats.txt"),
    ])
    func reportIsTheJSONSerializationReaders(options: [String], completions: Bool, expected: String) async throws {
        let file = try await Self.stream(completions: completions)
        let result = try await runCLI(["stats"] + options + [file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let want = try String(contentsOf: Self.fixtures.appendingPathComponent(expected), encoding: .utf8)
        let got = String(decoding: result.stdout, as: UTF8.self)
        let differing = zip(got.split(separator: "\n"), want.split(separator: "\n")).filter { $0 != $1 }
        #expect(got == want, "first differing lines: \(differing.prefix(3))")
    }

    /// Lines a JSON parser refuses are still refused, each naming its line.
    @Test(arguments: ["{\"type\":\"request\",\"time_s\":1.}", "{\"type\":\"request\",\"time_s\":01}",
                      "{\"type\":\"request\" \"time_s\":1}", "[1]", "{\"type\":\"request\"}"])
    func notAnEventExits65NamingTheLine(line: String) async throws {
        let file = try temporaryFile("bad-stream.jsonl", contents: "{\"type\":\"watermark\",\"time_s\":0}\n\(line)\n")
        let result = try await runCLI(["stats", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("line 2: not an event of the stream"), "\(result.stderr)")
    }
}
