import Foundation
import Synchronization
import Testing
import TestSupport
import WorkloadConfig
import WorkloadDaemon
import WorkloadKafka

/// The closed loop over the mock cluster with the run split in `shards`
/// (`--shard k/n`, each a daemon on a thread of its own) and one
/// `service-model` serving the union: what `consume` reads of the requests
/// and sessions topics, and of the completions topic. It blocks throughout: tests build it
/// on a thread of their own (`onThread`).
struct ShardedLoopRun: Sendable {
    var statuses: [Int32?] = []
    var stream: [String] = []
    var completions: [String] = []
    var consumed: ReferenceConsumer.Summary
    var served: ServiceModelRunner.Summary?

    init(shards: Int, duration: Double, replicas: Int, rate: Double) throws {
        let fixture = try DaemonKafkaFixture(completionPartitions: 3)
        var configuration = fixture.configure(try closedLoopConfiguration(duration: duration, rate: rate))
        configuration.clock.startUnixNanoseconds = fixedClockStart
        configuration.metrics.listen = ""
        configuration.kafka.librdkafka["linger.ms"] = "1"
        let served = Mutex<ServiceModelRunner.Summary?>(nil)
        let serviceStop = StopSignal()
        let service = Thread { [configuration] in
            var options = ServiceModelRunner.Options(brokers: fixture.cluster.bootstrapServers, replicas: replicas, fromBeginning: true)
            options.timeoutSeconds = 300
            var runner = ServiceModelRunner(configuration: configuration, options: options, logger: daemonTestLogger("service"))
            let summary = try? runner.run(stop: serviceStop)
            served.withLock { $0 = summary }
        }
        service.start()
        let runs = (0..<shards).map { index in
            var options = RunOptions()
            if shards > 1 { options.shard = Shard(index: Int32(index), count: Int32(shards)) }
            return DaemonRun(configuration: configuration, options: options)
        }
        statuses = runs.map { $0.waitForStatus(timeout: 300) }
        let brokers = fixture.cluster.bootstrapServers
        var lines: [String] = []
        consumed = try ReferenceConsumer.run(
            .init(brokers: brokers, topics: [configuration.kafka.topics.requests, configuration.kafka.topics.sessions],
                  fromBeginning: true, exitAtEnd: true, timeoutSeconds: 60),
            stop: StopSignal(), logger: daemonTestLogger("consume")) { lines.append(String(decoding: $0, as: UTF8.self)) }
        stream = lines
        for _ in 0..<500 where served.withLock({ $0 == nil }) { pause(0.01) }
        serviceStop.set()
        self.served = served.withLock { $0 }
        var answers: [String] = []
        _ = try ReferenceConsumer.run(
            .init(brokers: brokers, topics: ["llm.completions"], fromBeginning: true, exitAtEnd: true, timeoutSeconds: 60),
            stop: StopSignal(), logger: daemonTestLogger("consume")) { answers.append(String(decoding: $0, as: UTF8.self)) }
        completions = answers
    }
}

extension DaemonIntegrationTests.ClosedLoop {
    /// Every shard runs the whole simulation and takes every completion, so
    /// the union of three shards is the single run given the same
    /// completions; with one reference service the completions are the same
    /// too (it is deterministic given its input, the union).
    @Test("three shards and one service-model: the union equals the single run, completions included")
    func threeShardsGiveTheSingleRun() async throws {
        let single = try await onThread { try ShardedLoopRun(shards: 1, duration: 600, replicas: 1, rate: 0.1) }
        let sharded = try await onThread { try ShardedLoopRun(shards: 3, duration: 600, replicas: 1, rate: 0.1) }
        print("single: \(single.stream.count) events, \(single.completions.count) completions; served \(String(describing: single.served))")
        print("3 shards: \(sharded.stream.count) events, \(sharded.completions.count) completions; served \(String(describing: sharded.served))")
        #expect(single.statuses == [0])
        #expect(sharded.statuses == [0, 0, 0])
        #expect(sharded.consumed.ended, "every shard's stream ended")
        #expect(sharded.consumed.lateEvents == 0)
        let requests = single.stream.filter { $0.hasPrefix("{\"type\":\"request\"") }
        #expect(requests.filter { $0.contains("\"depends_on\"") }.count > 30, "later turns driven by the service's completions")
        #expect(sharded.stream.count == single.stream.count)
        #expect(sharded.stream == single.stream)
        #expect(sharded.completions == single.completions)
        #expect(sharded.served?.ended == true)
    }
}
