import Foundation
import Glibc
import Logging
import Testing
import WorkloadKafka

/// `clock.on_resume: skip` after a SIGKILL: the stopped process published events after
/// its last checkpoint, so the `skipped` marker's interval must begin after the last
/// event Kafka holds, not at the checkpoint; every event Kafka holds lies outside it.
@Suite("run --state-dir in real time: the skipped marker after a SIGKILL", .timeLimit(.minutes(10)))
struct ResumeSkipMarkerTests {
    @Test("killed, down 3 s, restarted with skip: no published event inside the interval the marker calls skipped")
    func markerBeginsAfterWhatKafkaHolds() async throws {
        let outcome = try await onThread { () throws -> ResumeRealtimeTests.Outcome in
            let cluster = try MockCluster(brokers: 1, logger: Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() })
            try cluster.createTopic("llm.requests", partitions: 4)
            try cluster.createTopic("llm.sessions", partitions: 3)
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8)
            // The same configuration as ResumeRealtimeTests' skip scenario, so `generated()` gives its stream.
            let config = try temporaryFile("realtime-skip.yaml", contents: text + """

                clock:
                  start: "2026-01-01T00:00:00Z"
                  on_resume: skip
                """)
            let state = try temporaryFile("realtime-killed-state-\(getpid())")
            try? FileManager.default.removeItem(at: state)
            let run = ["run", "--config", config.path, "--seed", "9", "--duration", "120", "--brokers", cluster.bootstrapServers,
                       "--mode", "realtime", "--metrics-listen", "", "--state-dir", state.path]
            var outcome = ResumeRealtimeTests.Outcome()
            let first = try DaemonProcess(run)
            // Half-way between two checkpoints (one a second): about half a second of events after the last.
            outcome.statuses.append(first.stop(with: SIGKILL, secondsAfterGenerating: 2.5))
            usleep(3_000_000)
            let second = try DaemonProcess(run)
            outcome.statuses.append(second.stop(with: SIGTERM, secondsAfterGenerating: 2))
            outcome.stderr = second.stderr
            outcome.records = try ResumeKillLoopTests.readAll(cluster.bootstrapServers)
            return outcome
        }
        let stream = try await ResumeRealtimeTests.generated()
        #expect(outcome.statuses == [nil, 0], "\(outcome.stderr)")
        let markers = outcome.records.filter { $0.header("event-type") == Array("skipped".utf8) }
        #expect(markers.count == 7, "one marker per partition: \(markers.count)")
        let from = markers.compactMap { ResumeRealtimeTests.nanoseconds("from_time_s", in: $0.value) }
        let to = markers.compactMap { ResumeRealtimeTests.nanoseconds("to_time_s", in: $0.value) }
        #expect(Set(from).count == 1 && Set(to).count == 1, "one interval")
        let interval = (from.first ?? 0)..<(to.first ?? 0)
        let afterSeq = markers.first.flatMap { ResumeKillLoopTests.integer("after_seq", in: $0.value) } ?? -1
        func inside(_ event: (seq: Int64, time: Int64)) -> Bool { event.seq > afterSeq && event.time < interval.upperBound }
        let published = ResumeRealtimeTests.data(outcome.records)
        let wronglyInside = published.filter(inside)
        print("skip after SIGKILL: interval \(Double(interval.lowerBound) / 1e9) ..< \(Double(interval.upperBound) / 1e9) s after seq \(afterSeq); \(published.count) events published, \(wronglyInside.count) of them inside the interval")
        #expect(wronglyInside.isEmpty, "published events the marker calls skipped: \(wronglyInside.prefix(10).map(\.seq))")
        #expect(published.contains { $0.seq <= afterSeq && $0.time <= interval.lowerBound }, "the interval begins at an event Kafka holds")
        #expect(stream.filter(inside).count > 10, "the interval held events")
        // Every other event up to the last exactly once: none lost with the killed process's queue, none twice.
        let last = published.last?.seq ?? -1
        #expect(published.map(\.seq) == stream.filter { $0.seq <= last && !inside($0) }.map(\.seq), "\(published.count) events")
    }
}
