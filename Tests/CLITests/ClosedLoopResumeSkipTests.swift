import Foundation
import Glibc
import Testing
import TestSupport

/// A real-time run with `feedback` stopped and restarted with the default
/// `clock.on_resume: skip`: the requests that fell due while it was down are
/// not published, so the service never answers them, and their sessions end
/// `no_response` `timeout_s` after those requests' arrivals.
@Suite("run --state-dir with feedback in real time: on_resume skip", .integration, .tags(.integration), .timeLimit(.minutes(10)))
struct ClosedLoopResumeSkipTests {
    static let timeout: Int64 = 4_000_000_000

    /// `config/chat-closed.yaml` with `feedback` (`timeout_s` 4), sessions at 2/s, think times of 1 s on average, responses
    /// of at most about 2 s (1-3 ms per output token), in real time.
    static let config: URL = {
        var text = try! String(contentsOf: repositoryRoot.appendingPathComponent("config/chat-closed.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "{type: Exponential, rate: 5.0}", with: "{type: Exponential, rate: 2.0}")
        text = text.replacingOccurrences(of: "{type: Exponential, rate: 0.2}", with: "{type: Exponential, rate: 1.0}")
        text = text.replacingOccurrences(of: "{type: Uniform, low: 0.02, high: 0.04}", with: "{type: Uniform, low: 0.001, high: 0.003}")
        text += """

            clock: {start: "2026-01-01T00:00:00Z", mode: realtime, watermark_interval_s: 0.05}
            feedback: {topic: llm.completions, timeout_s: 4}
            kafka: {librdkafka: {linger.ms: "1"}}

            """
        return try! temporaryFile("closed-loop-skip.yaml", contents: text)
    }()

    struct Outcome: Sendable {
        var statuses: [Int32?] = []
        var stderr = ""
        var stream: [Substring] = []
        var completions: [Substring] = []
    }

    static func scenario() throws -> Outcome {
        let kafka = try DaemonProcess(["dev-kafka", "--partitions", "3", "--topic", "llm.requests", "--topic", "llm.sessions",
                                       "--topic", "llm.completions"])
        let line = try #require(kafka.waitForStderrLine(containing: "mock Kafka cluster", timeout: 20))
        let at = try #require(line.range(of: ") at "))
        let bootstrap = String(line[at.upperBound...].prefix { $0 != ";" })
        let service = try DaemonProcess(["service-model", "--brokers", bootstrap, "--config", config.path, "--replicas", "16",
                                         "--from-beginning"])
        let state = try temporaryFile("closed-loop-skip-state-\(getpid())")
        try? FileManager.default.removeItem(at: state)
        let run = ["run", "--config", config.path, "--duration", "10", "--seed", "3", "--brokers", bootstrap,
                   "--metrics-listen", "", "--state-dir", state.path]
        var outcome = Outcome()
        let first = try DaemonProcess(run)
        outcome.statuses.append(first.stop(with: SIGTERM, secondsAfterGenerating: 3))
        usleep(2_000_000)  // down for 2 s
        let second = try DaemonProcess(run)
        outcome.statuses.append(second.waitForExit(timeout: 120))
        outcome.stderr = second.stderr
        _ = service.waitForExit(timeout: 60)
        let consumed = try runCLIBlocking(["consume", "--brokers", bootstrap, "--from-beginning", "--exit-at-end"], timeout: 60)
        outcome.stream = String(decoding: consumed.stdout, as: UTF8.self).split(separator: "\n")
        let answers = try runCLIBlocking(["consume", "--brokers", bootstrap, "--topics", "completions", "--from-beginning", "--exit-at-end"],
                                         timeout: 60)
        outcome.completions = String(decoding: answers.stdout, as: UTF8.self).split(separator: "\n")
        return outcome
    }

    /// The value of `name="..."` (or `name=...`) in a log line.
    static func logField(_ name: String, in line: Substring) -> Substring? {
        guard let range = line.range(of: name + "=") else { return nil }
        return line[range.upperBound...].drop { $0 == "\"" }.prefix { $0 != "\"" && $0 != " " }
    }

    @Test("stopped 2 s and restarted with on_resume skip: the sessions left waiting end no_response at the skipped request's arrival + timeout_s")
    func skippedRequestsEndTheirSessionsAtTheTimeout() async throws {
        let outcome = try await onThread { try Self.scenario() }
        #expect(outcome.statuses == [0, 0])
        let lines = outcome.stderr.split(separator: "\n")
        let skipLine = try #require(lines.first { $0.contains("skipped the events that fell due while stopped") }, "\(outcome.stderr.suffix(2_000))")
        let from = try #require(Self.logField("from_time_s", in: skipLine).flatMap { Double($0) }).nanoseconds
        let to = try #require(Self.logField("to_time_s", in: skipLine).flatMap { Double($0) }).nanoseconds
        let answered = Set(outcome.completions.compactMap { RawJSONFields($0).string("request_id") })
        var requests: [String: [String]] = [:]
        for line in outcome.stream where line.hasPrefix("{\"type\":\"request\"") {
            let fields = RawJSONFields(line)
            if let session = fields.string("session_id"), let id = fields.string("request_id") { requests[session, default: []].append(id) }
        }
        var arrivals: [Int64] = []
        for line in outcome.stream where line.hasPrefix("{\"type\":\"session_ended\"") && line.contains("\"reason\":\"no_response\"") {
            let fields = RawJSONFields(line)
            let session = try #require(fields.string("session_id"))
            let ended = try #require(fields.nanoseconds("time_s"))
            arrivals.append(ended - Self.timeout)
            // The request it waited for is not in Kafka: every one published was answered.
            #expect(requests[session, default: []].allSatisfy { answered.contains($0) }, "session \(session)")
        }
        let reported = lines.last { $0.contains("feedback") }.flatMap { Self.logField("ended_no_response", in: $0) }
        print("on_resume skip under feedback: skipped \(Double(from) / 1e9)-\(Double(to) / 1e9) s; \(arrivals.count) sessions ended no_response, their skipped requests' arrivals \(arrivals.map { Double($0) / 1e9 }); reported \(reported ?? "?")")
        #expect(!arrivals.isEmpty, "requests fell due while the run was down")
        // Each unanswered request arrived inside the skipped interval (the log's figures are rounded to the microsecond).
        #expect(arrivals.allSatisfy { $0 >= from - 1_000 && $0 < to + 1_000 }, "\(arrivals) in [\(from), \(to))")
        #expect(reported == "\(arrivals.count)")
    }
}

private extension Double {
    var nanoseconds: Int64 { Int64((self * 1e9).rounded()) }
}
