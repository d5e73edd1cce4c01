import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig

extension DaemonIntegrationTests {
    /// `consume --exit-at-end` over three shards' records
    /// yields exactly the single-instance stream, in non-decreasing time_s, and every
    /// watermark's promise holds for its own shard's records.
    @Suite("consume: shards into one time-ordered stream")
    struct ConsumeShards {
        static func configuration(_ fixture: DaemonKafkaFixture) throws -> Configuration {
            var configuration = fixture.configure(try exampleConfiguration(duration: 120, seed: 11))
            configuration.metrics.listen = ""
            configuration.clock.mode = .accelerated
            configuration.clock.speed = nil
            return configuration
        }

        static func shardRun(_ configuration: Configuration, _ k: Int32) -> DaemonRun {
            var options = RunOptions()
            options.shard = Shard(index: k, count: 3)
            return DaemonRun(configuration: configuration, options: options)
        }

        static func consume(_ fixture: DaemonKafkaFixture) throws -> (lines: [String], summary: ReferenceConsumer.Summary) {
            var lines: [String] = []
            let summary = try ReferenceConsumer.run(
                .init(brokers: fixture.cluster.bootstrapServers, topics: [fixture.topics.requests, fixture.topics.sessions],
                      fromBeginning: true, exitAtEnd: true, timeoutSeconds: 60),
                stop: StopSignal(), logger: daemonTestLogger("consume")
            ) { lines.append(String(decoding: $0, as: UTF8.self)) }
            return (lines, summary)
        }

        static func times(_ lines: [String]) -> [Int64] {
            lines.map { line in
                let text = line[line.range(of: "\"time_s\":")!.upperBound...].prefix { $0 != "," }
                let parts = text.split(separator: ".")
                return Int64(parts[0])! * 1_000_000_000 + Int64(parts[1])!
            }
        }

        static func check(_ consumed: (lines: [String], summary: ReferenceConsumer.Summary), against generated: [String]) {
            let summary = consumed.summary
            #expect(summary.ended, "every producer's stream ended on every partition")
            #expect(summary.waiting == 0 && summary.unreadable == 0)
            #expect(summary.lateEvents == 0, "a data event behind its own shard's watermark")
            // 3 shards x 7 partitions: at least one (final) watermark each.
            #expect(summary.watermarks >= 21)
            #expect(consumed.lines.count == generated.count, "consumed \(consumed.lines.count) of \(generated.count)")
            #expect(consumed.lines == generated, "exactly generate's stream, in its order")
            let times = Self.times(consumed.lines)
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "non-decreasing time_s")
        }

        @Test("three shards one after another")
        func sequential() async throws {
            let fixture = try DaemonKafkaFixture()
            let configuration = try Self.configuration(fixture)
            let generated = try generatedLines(configuration)
            let (statuses, consumed) = try await onThread {
                var statuses: [Int32?] = []
                for k in Int32(0)..<3 { statuses.append(Self.shardRun(configuration, k).waitForStatus(timeout: 60)) }
                return (statuses, try Self.consume(fixture))
            }
            #expect(statuses == [0, 0, 0])
            Self.check(consumed, against: generated)
        }

        @Test("three shards at once, read while they publish")
        func concurrent() async throws {
            let fixture = try DaemonKafkaFixture()
            let configuration = try Self.configuration(fixture)
            let generated = try generatedLines(configuration)
            async let consumed = onThread { try Self.consume(fixture) }
            let statuses = try await onThread {
                let runs = (Int32(0)..<3).map { Self.shardRun(configuration, $0) }
                return runs.map { $0.waitForStatus(timeout: 60) }
            }
            #expect(statuses == [0, 0, 0])
            Self.check(try await consumed, against: generated)
        }
    }
}
