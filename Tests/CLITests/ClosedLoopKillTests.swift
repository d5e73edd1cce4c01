import Foundation
import Glibc
import Testing
import TestSupport

/// The closed loop over an external `dev-kafka`: `service-model` keeps
/// running while `run --state-dir` with `feedback` is killed (SIGKILL) three
/// times at seeded moments and restarted; the requests and sessions consumed
/// equal an uninterrupted run's byte for byte, and so do the completions.
@Suite("run --state-dir with feedback: SIGKILL while the service runs on", .serialized, .integration, .tags(.integration),
       .timeLimit(.minutes(10)))
struct ClosedLoopKillTests {
    /// `config/chat-closed.yaml` with `feedback`, a fixed start, sessions at 0.1/s, paced 100 x.
    static let config: URL = {
        var text = try! String(contentsOf: repositoryRoot.appendingPathComponent("config/chat-closed.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "{type: Exponential, rate: 5.0}", with: "{type: Exponential, rate: 0.1}")
        text += """

            clock: {start: "2026-01-01T00:00:00Z", mode: accelerated, speed: 100}
            feedback: {topic: llm.completions, timeout_s: 600, lookahead_s: 0.5}
            kafka: {librdkafka: {linger.ms: "1"}}

            """
        return try! temporaryFile("closed-loop-kill.yaml", contents: text)
    }()

    /// One loop: its cluster, its service, the generator's starts.
    struct Scenario: Sendable {
        var statuses: [Int32?] = []
        var moments: [Double] = []
        var continued = 0
        var skipped: [Int] = []
        var stream = Data()
        var completions = Data()
        var consumeSummary = ""
        var serviceSummary = ""
        var feedbackLines: [String] = []
        /// Each restart's "continuing run" line: `from_seq` 0 is a restart before any checkpoint.
        var continuing: [String] = []
    }

    /// With `shards` > 1 every shard runs, and shard 1 is the one killed.
    static func scenario(kills seed: UInt64?, shards: Int = 1) throws -> Scenario {
        let kafka = try DaemonProcess(["dev-kafka", "--partitions", "3", "--topic", "llm.requests", "--topic", "llm.sessions",
                                       "--topic", "llm.completions"])
        let line = try #require(kafka.waitForStderrLine(containing: "mock Kafka cluster", timeout: 20))
        let at = try #require(line.range(of: ") at "))
        let bootstrap = String(line[at.upperBound...].prefix { $0 != ";" })
        let service = try DaemonProcess(["service-model", "--brokers", bootstrap, "--config", config.path, "--replicas", "2",
                                         "--from-beginning"])
        func arguments(shard: Int) throws -> [String] {
            let state = try temporaryFile("closed-loop-state-\(seed.map(String.init) ?? "none")-\(shard)-\(shards)")
            try? FileManager.default.removeItem(at: state)
            return ["run", "--config", config.path, "--duration", "900", "--seed", "7", "--brokers", bootstrap,
                    "--metrics-listen", "", "--state-dir", state.path] + (shards > 1 ? ["--shard", "\(shard)/\(shards)"] : [])
        }
        let others = try (0..<shards).filter { $0 != 1 % shards }.map { try DaemonProcess(arguments(shard: $0)) }
        let run = try arguments(shard: 1 % shards)
        var scenario = Scenario()
        if let seed {
            var moments = ResumeKillLoopTests.Moments(state: seed)
            // The first kill before the first checkpoint (about 1 s in), the others after one.
            for range in [0.3...0.8, 1.2...1.8, 1.2...1.8] {
                let daemon = try DaemonProcess(run)
                _ = daemon.waitForStderrLine(containing: "generating", timeout: 30)
                let moment = moments.next(in: range)
                scenario.moments.append(moment)
                usleep(UInt32(moment * 1e6))
                daemon.send(SIGKILL)
                scenario.statuses.append(daemon.waitForExit(timeout: 30))
                if daemon.stderr.contains("continuing run") { scenario.continued += 1 }
                scenario.continuing += daemon.stderr.split(separator: "\n").filter { $0.contains("continuing run") }.map(String.init)
                scenario.skipped.append(ResumeKillLoopTests.skippedCount(daemon.stderr))
            }
        }
        let last = try DaemonProcess(run)
        scenario.statuses.append(last.waitForExit(timeout: 180))
        if last.stderr.contains("continuing run") { scenario.continued += 1 }
        scenario.continuing += last.stderr.split(separator: "\n").filter { $0.contains("continuing run") }.map(String.init)
        scenario.skipped.append(ResumeKillLoopTests.skippedCount(last.stderr))
        scenario.feedbackLines = last.stderr.split(separator: "\n").filter { $0.contains("feedback") }.map(String.init)
        for other in others { scenario.statuses.append(other.waitForExit(timeout: 180)) }
        _ = service.waitForExit(timeout: 60)
        scenario.serviceSummary = service.stderr.split(separator: "\n").last.map(String.init) ?? ""
        let consumed = try runCLIBlocking(["consume", "--brokers", bootstrap, "--from-beginning", "--exit-at-end"], timeout: 60)
        scenario.stream = consumed.stdout
        scenario.consumeSummary = consumed.stderr.split(separator: "\n").last.map(String.init) ?? ""
        scenario.completions = try runCLIBlocking(["consume", "--brokers", bootstrap, "--topics", "completions", "--from-beginning",
                                           "--exit-at-end"], timeout: 60).stdout
        return scenario
    }

    @Test("SIGKILL three times at seeded moments while service-model runs on: the uninterrupted run's requests, byte for byte")
    func sigkillLoop() async throws {
        async let uninterrupted = onThread { try Self.scenario(kills: nil) }
        let killed = try await onThread { try Self.scenario(kills: 2026) }
        let reference = try await uninterrupted
        print("SIGKILL at \(killed.moments.map { String(format: "%.2f s", $0) }); statuses \(killed.statuses); \(killed.continued) starts continued; skipped per start \(killed.skipped)")
        print("  killed:        \(killed.consumeSummary) | \(killed.serviceSummary)")
        print("  uninterrupted: \(reference.consumeSummary) | \(reference.serviceSummary)")
        for line in killed.continuing + killed.feedbackLines { print("  \(line)") }
        #expect(reference.statuses == [0])
        #expect(killed.statuses == [nil, nil, nil, 0], "each kill lands while the run is going; the last start finishes it")
        #expect(killed.continued == 3)
        #expect(killed.consumeSummary.contains(" 0 behind their producer's watermark"))
        let lines = killed.stream.split(separator: 0x0A), expected = reference.stream.split(separator: 0x0A)
        #expect(expected.filter { $0.starts(with: Array("{\"type\":\"request\"".utf8)) }.count > 100)
        #expect(lines.count == expected.count, "\(lines.count) events, uninterrupted \(expected.count)")
        #expect(killed.stream == reference.stream, "the requests and sessions consumed, byte for byte")
        #expect(killed.completions == reference.completions, "the service saw the same requests: the same completions")
    }

    @Test("three shards, shard 1 killed three times, one service-model: the union equals the uninterrupted single run")
    func sigkillOneShard() async throws {
        async let uninterrupted = onThread { try Self.scenario(kills: nil) }
        let killed = try await onThread { try Self.scenario(kills: 77, shards: 3) }
        let reference = try await uninterrupted
        print("shard 1/3: SIGKILL at \(killed.moments.map { String(format: "%.2f s", $0) }); statuses \(killed.statuses) (shard 1's starts, then shards 0 and 2)")
        print("  killed:        \(killed.consumeSummary) | \(killed.serviceSummary)")
        for line in killed.continuing + killed.feedbackLines { print("  \(line)") }
        #expect(killed.statuses == [nil, nil, nil, 0, 0, 0])
        #expect(killed.continued == 3)
        #expect(killed.consumeSummary.contains(" 0 behind their producer's watermark"))
        #expect(killed.feedbackLines.contains { $0.contains("for_other_shards=") && !$0.contains("for_other_shards=0 ") })
        #expect(killed.stream.split(separator: 0x0A).count == reference.stream.split(separator: 0x0A).count)
        #expect(killed.stream == reference.stream, "the union of the shards, byte for byte")
        #expect(killed.completions == reference.completions)
    }
}
