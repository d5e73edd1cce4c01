import Foundation
import Logging
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig

/// Never duplicate by accident (first half): a second start of the same run against
/// topics that hold its records refuses (exit 78) and publishes nothing.
extension DaemonIntegrationTests {
    @Suite("run refuses to publish a run twice")
    struct RunRefusal {
        /// Records in both topics (the sum of every partition's offset range).
        static func recordCount(_ fixture: DaemonKafkaFixture) throws -> Int64 {
            let consumer = try KafkaConsumer(bootstrapServers: fixture.cluster.bootstrapServers, logger: daemonTestLogger("offsets"))
            var total: Int64 = 0
            for (topic, partitions) in fixture.partitions {
                for partition in 0..<partitions {
                    total += Int64(try consumer.offsetRange(topic: topic, partition: partition, timeoutMs: 10_000).count)
                }
            }
            return total
        }

        static func start(_ configuration: Configuration, shard: Shard? = nil) -> (status: Int32?, log: [String]) {
            let log = ProduceErrorLog()
            var options = RunOptions()
            options.shard = shard
            let run = DaemonRun(configuration: configuration, options: options, logger: Logger(label: "daemon") { _ in log })
            return (run.waitForStatus(timeout: 60), log.entries.withLock { $0 })
        }

        @Test("the same run again: exit 78 naming the run, nothing published; another seed or shard starts")
        func refusesTheSameRun() async throws {
            let fixture = try DaemonKafkaFixture()
            var configuration = fixture.configure(try exampleConfiguration(duration: 30, seed: 5))
            configuration.metrics.listen = ""
            configuration.clock.mode = .accelerated
            configuration.clock.speed = nil
            let runConfiguration = configuration
            var other = configuration
            other.override(seed: 6)
            let otherSeed = other
            try await onThread {
                let first = Self.start(runConfiguration, shard: Shard(index: 0, count: 2))
                #expect(first.status == 0)
                let held = try Self.recordCount(fixture)
                #expect(held > 100)

                // The other shard of the same run is another producer: it starts.
                #expect(Self.start(runConfiguration, shard: Shard(index: 1, count: 2)).status == 0)
                let both = try Self.recordCount(fixture)
                #expect(both > held)

                for shard in [Shard(index: 0, count: 2), Shard(index: 1, count: 2)] {
                    let again = Self.start(runConfiguration, shard: shard)
                    #expect(again.status == 78)
                    let refusal = again.log.first { $0.contains("already has records") } ?? ""
                    #expect(refusal.contains("run \(runConfiguration.runID) (shard \(shard))"), "\(again.log)")
                    #expect(refusal.contains("To start a new run"))
                }
                // Unsharded, the same run owns every session: refused too.
                #expect(Self.start(runConfiguration).status == 78)
                #expect(try Self.recordCount(fixture) == both, "a refused start publishes nothing")

                // Another seed is another run.
                #expect(otherSeed.runID != runConfiguration.runID)
                #expect(Self.start(otherSeed).status == 0)
                #expect(try Self.recordCount(fixture) > both)
            }
        }
    }
}
