import Foundation
import Testing
import WorkloadDaemon
import WorkloadConfig

extension DaemonIntegrationTests {
    /// With a `load` (and warm start) the shards' union is
    /// still exactly the single-instance stream, which is what generate writes.
    @Suite("run --shard k/n with a load")
    struct LoadSharding {
        @Test("day-long example, 300 s: the union of shards 0/2 and 1/2 is the single stream, equal to generate's")
        func unionOfTwoShards() async throws {
            var configuration = try Configuration.load(path: daemonRepositoryRoot.appendingPathComponent("config/day-long.yaml").path)
            configuration.override(duration: 300, seed: 9)
            configuration.clock.startUnixNanoseconds = fixedClockStart
            let (generated, single, shards) = try await Sharding.generatedSingleAndShards(configuration, count: 2)
            #expect(single.status == 0 && shards.map(\.status) == [0, 0])
            #expect(single.lines == generated, "one instance writes exactly what generate writes")
            let merged = (shards[0].lines + shards[1].lines).sorted { (Sharding.seq($0) ?? 0) < (Sharding.seq($1) ?? 0) }
            #expect(merged == single.lines)
            #expect(generated.first?.contains("began_before_run") == true)
        }
    }
}
