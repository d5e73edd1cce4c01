import Foundation
import Glibc
import Logging
import Testing
import TestSupport
import WorkloadKafka

/// A `realtime` run stopped for 10 s and restarted. With
/// `clock.on_resume: skip` it publishes one marker per partition for the skipped
/// interval and no event of it; with `catch_up` every event, the late ones counted
/// in the lateness histogram. Both scenarios run at once (two clusters).
@Suite("run --state-dir in real time: skip and catch_up", .timeLimit(.minutes(10)))
struct ResumeRealtimeTests {
    struct Outcome: Sendable {
        var statuses: [Int32?] = []
        var records: [ConsumedRecord] = []
        var metrics = ""
        var stderr = ""
        /// Virtual time of the last event before the stop ("... over X virtual seconds").
        var stoppedAt: Int64 = 0
    }

    static func scenario(_ policy: String) throws -> Outcome {
        let cluster = try MockCluster(brokers: 1, logger: Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() })
        try cluster.createTopic("llm.requests", partitions: 4)
        try cluster.createTopic("llm.sessions", partitions: 3)
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8)
        let config = try temporaryFile("realtime-\(policy).yaml", contents: text + """

            clock:
              start: "2026-01-01T00:00:00Z"
              on_resume: \(policy)
            """)
        let state = try temporaryFile("realtime-state-\(policy)")
        try? FileManager.default.removeItem(at: state)
        let run = ["run", "--config", config.path, "--seed", "9", "--duration", "120", "--brokers", cluster.bootstrapServers,
                   "--mode", "realtime", "--metrics-listen", "127.0.0.1:0", "--state-dir", state.path]
        var outcome = Outcome()
        let first = try DaemonProcess(run)
        outcome.statuses.append(first.stop(with: SIGTERM, secondsAfterGenerating: 3))
        if let summary = first.stderr.split(separator: "\n").first(where: { $0.hasPrefix("published ") }),
           let range = summary.range(of: " over "), let seconds = Double(summary[range.upperBound...].prefix { $0.isNumber || $0 == "." }) {
            outcome.stoppedAt = Int64(seconds * 1e9)
        }
        usleep(10_000_000)  // stopped for 10 s
        let second = try DaemonProcess(run)
        let port = second.waitForMetricsPort()
        _ = second.waitForStderrLine(containing: "generating", timeout: 30)
        usleep(3_000_000)
        if let port { outcome.metrics = (try? httpGet(port: port, path: "/metrics"))?.body ?? "" }
        second.send(SIGTERM)
        outcome.statuses.append(second.waitForExit(timeout: 30))
        outcome.stderr = second.stderr
        outcome.records = try ResumeKillLoopTests.readAll(cluster.bootstrapServers)
        return outcome
    }

    /// (seq, time_s in ns) of generate's events.
    static func generated() async throws -> [(seq: Int64, time: Int64)] {
        let config = try temporaryFile("realtime-skip.yaml")
        let result = try await runCLI(["generate", "--config", config.path, "--seed", "9", "--duration", "120", "--out", "-"])
        return result.stdout.split(separator: 0x0A).compactMap { line in
            let value = Array(line)
            guard let seq = ResumeKillLoopTests.integer("seq", in: value), let time = nanoseconds("time_s", in: value) else { return nil }
            return (seq, time)
        }
    }

    static func nanoseconds(_ name: String, in value: [UInt8]) -> Int64? {
        let text = String(decoding: value, as: UTF8.self)
        guard let range = text.range(of: "\"\(name)\":"),
              let seconds = Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." }) else { return nil }
        return Int64((seconds * 1e9).rounded())
    }

    static func data(_ records: [ConsumedRecord]) -> [(seq: Int64, time: Int64)] {
        records.filter { $0.header("event-type") != Array("watermark".utf8) && $0.header("event-type") != Array("skipped".utf8) }
            .compactMap { record in
                guard let seq = ResumeKillLoopTests.integer("seq", in: record.value), let time = nanoseconds("time_s", in: record.value) else { return nil }
                return (seq, time)
            }
            .sorted { $0.seq < $1.seq }
    }

    @Test func stoppedTenSecondsThenSkipOrCatchUp() async throws {
        async let skipped = onThread { try Self.scenario("skip") }
        async let caughtUp = onThread { try Self.scenario("catch_up") }
        let (skip, catchUp) = try await (skipped, caughtUp)
        let stream = try await Self.generated()

        // skip: one marker per partition (4 + 3), all naming the same interval of at least 10 s.
        #expect(skip.statuses == [0, 0], "\(skip.stderr)")
        let markers = skip.records.filter { $0.header("event-type") == Array("skipped".utf8) }
        #expect(markers.count == 7, "one marker per partition: \(markers.count)")
        let from = markers.compactMap { Self.nanoseconds("from_time_s", in: $0.value) }
        let to = markers.compactMap { Self.nanoseconds("to_time_s", in: $0.value) }
        #expect(Set(from).count == 1 && Set(to).count == 1, "one interval")
        let interval = (from.first ?? 0)..<(to.first ?? 0)
        let afterSeq = markers.first.flatMap { ResumeKillLoopTests.integer("after_seq", in: $0.value) } ?? -1
        print("skip: interval \(Double(interval.lowerBound) / 1e9) ..< \(Double(interval.upperBound) / 1e9) s after seq \(afterSeq)")
        #expect(interval.count >= 10_000_000_000, "the 10 s stop is skipped")
        func wasSkipped(_ event: (seq: Int64, time: Int64)) -> Bool { event.seq > afterSeq && event.time < interval.upperBound }
        let published = Self.data(skip.records)
        #expect(!published.contains(where: wasSkipped), "nothing from the skipped interval")
        #expect(stream.filter(wasSkipped).count > 100, "the interval held events")
        let last = published.last?.seq ?? -1
        let expected = stream.filter { $0.seq <= last && !wasSkipped($0) }
        #expect(published.map(\.seq) == expected.map(\.seq), "every other event once: \(published.count) vs \(expected.count)")
        #expect(published.contains { $0.time >= interval.upperBound }, "events after the interval are published")

        // catch_up: every event once up to the last, no marker, the late ones in the histogram.
        #expect(catchUp.statuses == [0, 0], "\(catchUp.stderr)")
        #expect(!catchUp.records.contains { $0.header("event-type") == Array("skipped".utf8) })
        let all = Self.data(catchUp.records)
        let lastCaught = all.last?.seq ?? -1
        #expect(all.map(\.seq) == stream.filter { $0.seq <= lastCaught }.map(\.seq), "no gap, no duplicate: \(all.count)")
        let exposition = try Exposition(parsing: catchUp.metrics)
        let total = exposition.value("llm_workload_pacing_lateness_seconds_count") ?? 0
        let underFive = exposition.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "5"]) ?? 0
        // Events due 0.5 to 4.5 s into the 10 s stop leave more than 5 s late.
        let stop = catchUp.stoppedAt
        #expect(stop > 0)
        let middle = stream.filter { $0.time >= stop + 500_000_000 && $0.time < stop + 4_500_000_000 }.count
        print("catch_up: \(all.count) events; stopped at \(Double(stop) / 1e9) s; lateness histogram \(total) observations, \(total - underFive) over 5 s; \(middle) events fell due 0.5-4.5 s into the stop")
        #expect(total - underFive >= Double(middle), "the late events are counted in the lateness histogram")
        #expect(middle > 20)
    }
}
