import Foundation
import Synchronization
import Testing
import TestSupport
import WorkloadConfig
import WorkloadDaemon
import WorkloadKafka

/// One closed loop over the mock cluster: `service-model` (in process, on a
/// thread) and `run --speed max` with `feedback`, then `consume` of the
/// requests and sessions topics and of the completions topic. It blocks throughout
/// (waiting for the run, consuming): tests build it on a thread of their own (`onThread`).
struct KafkaLoopRun: Sendable {
    var status: Int32?
    var wallSeconds: Double
    var stream: [String]
    var completions: [String]
    var consumed: ReferenceConsumer.Summary
    var served: ServiceModelRunner.Summary?
    var announcements: [String]

    /// `base`: the configuration to run (default: chat-closed's, at `rate`).
    init(duration: Double, replicas: Int, rate: Double = 0.06, dropFraction: Double = 0, base: Configuration? = nil) throws {
        let fixture = try DaemonKafkaFixture(completionPartitions: 3)
        var configuration = fixture.configure(try base ?? closedLoopConfiguration(duration: duration, rate: rate))
        configuration.clock.startUnixNanoseconds = fixedClockStart
        configuration.metrics.listen = "127.0.0.1:0"
        configuration.kafka.librdkafka["linger.ms"] = "1"
        let served = Mutex<ServiceModelRunner.Summary?>(nil)
        let serviceStop = StopSignal()
        let service = Thread { [configuration] in
            var options = ServiceModelRunner.Options(brokers: fixture.cluster.bootstrapServers, replicas: replicas,
                                                     fromBeginning: true, dropFraction: dropFraction)
            options.timeoutSeconds = 300
            var runner = ServiceModelRunner(configuration: configuration, options: options, logger: daemonTestLogger("service"))
            let summary = try? runner.run(stop: serviceStop)
            served.withLock { $0 = summary }
        }
        service.start()
        let started = Date()
        let run = DaemonRun(configuration: configuration, options: RunOptions())
        status = run.waitForStatus(timeout: 300)
        wallSeconds = Date().timeIntervalSince(started)
        announcements = run.announcements
        let brokers = fixture.cluster.bootstrapServers
        var lines: [String] = []
        consumed = try ReferenceConsumer.run(
            .init(brokers: brokers, topics: [configuration.kafka.topics.requests, configuration.kafka.topics.sessions],
                  fromBeginning: true, exitAtEnd: true, timeoutSeconds: 60),
            stop: StopSignal(), logger: daemonTestLogger("consume")) { lines.append(String(decoding: $0, as: UTF8.self)) }
        stream = lines
        if ProcessInfo.processInfo.environment["LOOP_DEBUG"] != nil {
            let records = try consumeAll(bootstrap: brokers, topics: [("llm.requests", 4), ("llm.sessions", 3)], minimumData: lines.count)
            var latest: [String: Int64] = [:]
            for record in records {
                let line = String(decoding: record.value, as: UTF8.self)
                let fields = RawJSONFields(Substring(line))
                let place = "\(record.topic)/\(record.partition)"
                guard let time = fields.text("time_s").map(exactNanoseconds) else { continue }
                if fields.text("type") == "watermark" {
                    latest[place] = max(latest[place] ?? .min, fields.text("final") == nil ? time : .max)
                } else if time < latest[place] ?? .min {
                    print("LATE \(place) promise \(latest[place]!): \(line)")
                }
            }
        }
        var answers: [String] = []
        _ = try ReferenceConsumer.run(
            .init(brokers: brokers, topics: ["llm.completions"], fromBeginning: true, exitAtEnd: true, timeoutSeconds: 60),
            stop: StopSignal(), logger: daemonTestLogger("consume")) { answers.append(String(decoding: $0, as: UTF8.self)) }
        completions = answers
        for _ in 0..<500 where served.withLock({ $0 == nil }) { pause(0.01) }
        serviceStop.set()
        self.served = served.withLock { $0 }
    }
}

/// "12.345678901" as nanoseconds, exactly.
func exactNanoseconds(_ text: Substring) -> Int64 {
    let parts = text.split(separator: ".", maxSplits: 1)
    let whole = Int64(parts[0]) ?? 0
    guard parts.count == 2 else { return whole * 1_000_000_000 }
    let digits = String(parts[1].prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0)
    return whole * 1_000_000_000 + (Int64(digits) ?? 0)
}

extension DaemonIntegrationTests {
    @Suite("closed loop over Kafka")
    struct ClosedLoop {
        @Test("service-model --replicas 2 and run --speed max with feedback: later turns sent exactly delay_s after the published completion, nothing behind a watermark, the run ends on its own")
        func exactAndOrdered() async throws {
            let loop = try await onThread { try KafkaLoopRun(duration: 600, replicas: 2) }
            print("closed loop over Kafka: \(loop.stream.count) events in \(loop.wallSeconds) s wall; served \(String(describing: loop.served)); \(loop.announcements.last ?? "")")
            #expect(loop.status == 0)
            #expect(loop.consumed.ended)
            #expect(loop.consumed.lateEvents == 0)
            var completionTimes: [String: Int64] = [:]
            for line in loop.completions {
                let fields = RawJSONFields(Substring(line))
                if let id = fields.text("request_id"), let time = fields.text("time_s") { completionTimes[String(id)] = exactNanoseconds(time) }
            }
            let requests = loop.stream.map { RawJSONFields(Substring($0)) }.filter { $0.text("type") == "request" }
            let later = requests.filter { $0.text("depends_on") != nil }
            #expect(later.count > 30)
            for request in later {
                let dependency = String(request.text("depends_on")!.dropFirst(2).dropLast(2))
                let completion = try #require(completionTimes[dependency])
                #expect(exactNanoseconds(request.text("sent_at_s")!) == completion + exactNanoseconds(request.text("delay_s")!))
            }
        }

        @Test("two closed-loop runs over Kafka give byte-identical request streams")
        func deterministic() async throws {
            let first = try await onThread { try KafkaLoopRun(duration: 300, replicas: 1, rate: 0.1) }
            let second = try await onThread { try KafkaLoopRun(duration: 300, replicas: 1, rate: 0.1) }
            let requests = { (run: KafkaLoopRun) in run.stream.filter { $0.hasPrefix("{\"type\":\"request\"") } }
            #expect(requests(first).count > 20)
            #expect(requests(first) == requests(second))
            #expect(first.stream == second.stream)
        }
    }
}
