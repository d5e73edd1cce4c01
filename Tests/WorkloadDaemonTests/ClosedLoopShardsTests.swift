import Foundation
import Logging
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
    /// Per shard: the fields of its closing `feedback` log line.
    var feedback: [[String: String]] = []

    /// `base`: the configuration to run (default: chat-closed's, at `rate`).
    init(shards: Int, duration: Double, replicas: Int, rate: Double, base: Configuration? = nil) throws {
        let fixture = try DaemonKafkaFixture(completionPartitions: 3)
        var configuration = fixture.configure(try base ?? closedLoopConfiguration(duration: duration, rate: rate))
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
        let logs = (0..<shards).map { _ in CapturedLog() }
        let runs = (0..<shards).map { index in
            var options = RunOptions()
            if shards > 1 { options.shard = Shard(index: Int32(index), count: Int32(shards)) }
            return DaemonRun(configuration: configuration, options: options, logger: Logger(label: "daemon") { _ in logs[index] })
        }
        statuses = runs.map { $0.waitForStatus(timeout: 300) }
        feedback = logs.map { $0.fields(of: "feedback") ?? [:] }
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

extension DaemonIntegrationTests.ClosedLoop {
    /// A subagent's completion names the subagent's own session, but the
    /// subagent's records carry its tree's root's key, which decides the
    /// shard: each shard counts apart the completions of the trees the
    /// others publish, and no other.
    @Test("three shards of agents: for_other_shards counts the completions of the trees other shards publish")
    func otherShardsCompletionsAreCountedByTheirTree() async throws {
        let configuration = try agentLoopConfiguration(duration: 400, rate: 0.3)
        let run = try await onThread { try ShardedLoopRun(shards: 3, duration: 400, replicas: 6, rate: 0, base: configuration) }
        #expect(run.statuses == [0, 0, 0])
        // Each request's tree: a subagent's requests name their root (`parent_session_id`).
        var tree: [Substring: Substring] = [:]
        for line in run.stream {
            let fields = RawJSONFields(Substring(line))
            guard fields.text("type") == "request", let own = fields.text("session_id") else { continue }
            tree[own] = fields.text("parent_session_id") ?? own
        }
        let shard = { (id: Substring) in Int(Murmur2.partition(forKey: Array(id.utf8), partitionCount: 3)) }
        var expected = [0, 0, 0]
        var byOwnSession = [0, 0, 0]
        var subagents = 0, elsewhere = 0
        for line in run.completions {
            let fields = RawJSONFields(Substring(line))
            guard fields.text("type") == "completion", let id = fields.text("request_id") else { continue }
            let own = id.prefix { $0 != "-" }
            let root = try #require(tree[own], "the request of \(id)")
            if root != own { subagents += 1 }
            if shard(root) != shard(own) { elsewhere += 1 }
            for k in 0..<3 where k != shard(root) { expected[k] += 1 }
            for k in 0..<3 where k != shard(own) { byOwnSession[k] += 1 }
        }
        let counted = run.feedback.map { Int($0["for_other_shards"] ?? "") ?? -1 }
        print("agents, 3 shards: \(run.completions.count) completions, \(subagents) of subagents' calls, \(elsewhere) whose own ID falls to another shard than their tree's; for_other_shards \(counted), expected \(expected) (by the completion's own session: \(byOwnSession))")
        #expect(byOwnSession != expected, "counted by the session a completion names, the figures differ: the test can fail")
        #expect(run.feedback.map { $0["ignored"] } == ["none", "none", "none"])
        #expect(counted == expected)
    }
}
