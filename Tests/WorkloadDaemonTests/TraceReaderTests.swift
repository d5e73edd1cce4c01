import Foundation
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// The trace formats' parsers: strict errors naming file,
/// line and column; skip-and-count; every format's columns.
@Suite struct TraceReaderTests {
    func file(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llm-workload-traces-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func rows(_ path: String, _ format: TraceFormat, skip: Bool = false) throws(TraceError) -> ([TraceRow], TraceReader) {
        let reader = try TraceReader(path: path, format: format, skipBadRows: skip)
        var rows: [TraceRow] = []
        while let row = try reader.next() { rows.append(row) }
        return (rows, reader)
    }

    func error(_ path: String, _ format: TraceFormat) -> TraceError? {
        do {
            _ = try rows(path, format)
            return nil
        } catch {
            return error
        }
    }

    @Test func azureBothLayoutsExactToTheNanosecond() throws {
        let path = try file("azure.csv", """
            TIMESTAMP,ContextTokens,GeneratedTokens\r
            2023-11-16 18:15:46.6805900,374,44\r
            2024-05-10 00:00:00.009930+00:00,10,0\r
            2024-05-10T02:00:00.5+02:00,7,3
            """)
        let (parsed, _) = try rows(path, .azure)
        #expect(parsed.map(\.timestamp) == [1_700_158_546_680_590_000, 1_715_299_200_009_930_000, 1_715_299_200_500_000_000])
        #expect(parsed.map(\.promptTokens) == [374, 10, 7] && parsed.map(\.outputTokens) == [44, 0, 3])
    }

    @Test func burstGPTColumnsBySessionAndWithout() throws {
        let plain = try file("burst.csv", """
            Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
            5,ChatGPT,472,18,490,Conversation log
            45.25,GPT-4,1087,0,1087,API log
            """)
        let (a, _) = try rows(plain, .burstgpt)
        #expect(a.map(\.timestamp) == [5_000_000_000, 45_250_000_000] && a.map(\.promptTokens) == [472, 1087])
        #expect(a.allSatisfy { $0.sessionKey == nil })
        let sessions = try file("burst-sessions.csv", """
            Timestamp,Session ID,Model,Request tokens,Response tokens,Total tokens,Log Type
            1,s1,ChatGPT,10,5,15,Conversation log
            2,s2,ChatGPT,11,5,16,Conversation log
            3,s1,ChatGPT,30,5,35,Conversation log
            """)
        let (b, _) = try rows(sessions, .burstgpt)
        #expect(b[0].sessionKey != nil && b[0].sessionKey == b[2].sessionKey && b[0].sessionKey != b[1].sessionKey)
    }

    @Test func ourEventLinesGiveTheirRequests() throws {
        let path = try file("events.jsonl", """
            {"type":"session_started","seq":0,"time_s":0.000000000,"session_id":"00000000000000aa"}
            {"type":"request","seq":1,"time_s":1.000000100,"session_id":"00000000000000aa","prompt_tokens":12,"output_tokens":3,"streaming":true,"sent_at_s":1.000000000,"hash_ids":[4,5]}
            {"type":"watermark","time_s":2.0,"time":"x"}
            """)
        let (parsed, _) = try rows(path, .jsonl)
        #expect(parsed.count == 1)
        #expect(parsed[0].timestamp == 1_000_000_000 && parsed[0].promptTokens == 12 && parsed[0].hashIDs == [4, 5])
    }

    @Test func missingFileAndEmptyTraces() throws {
        #expect(error("/nonexistent/trace.csv", .azure)?.description == "/nonexistent/trace.csv: no such file")
        let empty = try file("empty.csv", "")
        #expect(error(empty, .azure)?.message.contains("empty trace") == true)
        let headerOnly = try file("header.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n")
        #expect(error(headerOnly, .azure)?.message == "empty trace: no rows")
        let emptyJSON = try file("empty.jsonl", "")
        #expect(error(emptyJSON, .mooncake)?.message == "empty trace: no rows")
    }

    @Test func headerThatDoesNotMatchTheFormat() throws {
        let path = try file("wrong-header.csv", "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n1,a,2,3,5,x\n")
        let failure = error(path, .azure)
        #expect(failure?.line == 1 && failure?.column == 1)
        #expect(failure?.message.contains("header must be TIMESTAMP,ContextTokens,GeneratedTokens") == true, "\(String(describing: failure))")
    }

    @Test func malformedRowsNameLineAndColumn() throws {
        let csv = try file("bad-row.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:47.0,3x4,44\n")
        let failure = error(csv, .azure)
        #expect(failure?.description == "\(csv):3:23: ContextTokens must be an integer >= 1 (got '3x4')")
        let json = try file("bad-row.jsonl", "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1, \"hash_ids\": [0]}\n{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 1, \"hash_ids\": [0, x]}\n")
        let jsonFailure = error(json, .mooncake)
        #expect(jsonFailure?.line == 2 && jsonFailure?.column == 73, "\(String(describing: jsonFailure))")
        let columns = try file("bad-columns.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374\n")
        #expect(error(columns, .azure)?.message == "expected 3 columns (got 2)")
    }

    @Test func timestampsGoingBackwardsAreAnError() throws {
        let path = try file("backwards.jsonl", """
            {"timestamp": 3000, "input_length": 5, "output_length": 1}
            {"timestamp": 1000, "input_length": 5, "output_length": 1}
            """)
        let failure = error(path, .mooncake)
        #expect(failure?.line == 2 && failure?.message.hasPrefix("timestamp goes backwards") == true)
    }

    @Test func skipOptionCountsBadRows() throws {
        let path = try file("mixed.csv", """
            TIMESTAMP,ContextTokens,GeneratedTokens
            2023-11-16 18:15:46.6805900,374,44
            garbage
            2023-11-16 18:15:40.0,1,1
            2023-11-16 18:15:48.0,10,-1
            2023-11-16 18:15:49.0,12,3
            """)
        let (parsed, reader) = try rows(path, .azure, skip: true)
        #expect(parsed.map(\.promptTokens) == [374, 12])
        #expect(reader.skipped == 3)
        #expect(reader.firstSkipped?.line == 3)
    }
}
