import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig

extension DaemonIntegrationTests {
    @Suite("run --shard k/n")
    struct Sharding {
        /// Runs `configuration` at max speed into a JSON Lines file and returns its lines.
        static func runToFile(_ configuration: Configuration, shard: Shard?) throws -> (status: Int32?, lines: [String]) {
            let url = FileManager.default.temporaryDirectory
                .appendingPathComponent("llm-workload-shard-\(getpid())-\(shard?.index ?? -1)-\(UInt32.random(in: 0...UInt32.max)).jsonl")
            defer { try? FileManager.default.removeItem(at: url) }
            var options = RunOptions()
            options.sink = .file(url.path)
            options.shard = shard
            let run = DaemonRun(configuration: configuration, options: options)
            let status = run.waitForStatus(timeout: 60)
            return (status, try jsonLines(at: url))
        }

        static func sessionID(_ line: String) -> String? {
            guard let start = line.range(of: "\"session_id\":\"") else { return nil }
            return String(line[start.upperBound...].prefix { $0 != "\"" })
        }

        static func seq(_ line: String) -> UInt64? {
            guard let start = line.range(of: ",\"seq\":") else { return nil }
            return UInt64(line[start.upperBound...].prefix { $0.isNumber })
        }

        /// What generate writes for `configuration`, and what one instance and
        /// each of `count` shards write, run at max speed without metrics.
        static func generatedSingleAndShards(_ base: Configuration, count: Int) async throws
            -> (generated: [String], single: (status: Int32?, lines: [String]), shards: [(status: Int32?, lines: [String])]) {
            var configuration = base
            configuration.metrics.listen = ""
            configuration.clock.mode = .accelerated
            configuration.clock.speed = nil
            let runConfiguration = configuration
            let generated = try generatedLines(configuration)
            let (single, shards) = try await onThread {
                let single = try Self.runToFile(runConfiguration, shard: nil)
                let shards = try (0..<count).map { try Self.runToFile(runConfiguration, shard: Shard(index: Int32($0), count: Int32(count))) }
                return (single, shards)
            }
            return (generated, single, shards)
        }

        @Test("the union of shards 0/3, 1/3 and 2/3 is exactly the single-instance stream; each keeps only its sessions")
        func unionOfThreeShards() async throws {
            let (generated, single, shards) = try await Self.generatedSingleAndShards(try exampleConfiguration(duration: 300), count: 3)
            #expect(single.status == 0)
            #expect(shards.map(\.status) == [0, 0, 0])
            #expect(single.lines == generated, "one instance writes exactly what generate writes")

            var union: [String] = []
            for (k, shard) in shards.enumerated() {
                #expect(shard.lines.count > generated.count / 6, "shard \(k) has about a third: \(shard.lines.count)")
                let foreign = shard.lines.filter { line in
                    guard let id = Self.sessionID(line) else { return true }
                    return Murmur2.partition(forKey: Array(id.utf8), partitionCount: 3) != Int32(k)
                }
                #expect(foreign.isEmpty, "shard \(k) publishes sessions of other shards: \(foreign.prefix(3))")
                let seqs = shard.lines.compactMap(Self.seq)
                #expect(seqs.count == shard.lines.count && seqs == seqs.sorted(), "shard \(k) keeps emission order")
                union += shard.lines
            }
            let merged = union.sorted { (Self.seq($0) ?? 0) < (Self.seq($1) ?? 0) }
            #expect(merged.count == single.lines.count, "no duplicates, nothing missing")
            #expect(merged == single.lines)
        }
    }
}
