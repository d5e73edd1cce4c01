import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig
import WorkloadTraces

/// Replay is exact, `run` half: a replayed trace through the daemon to the
/// embedded cluster at `--speed max` publishes exactly what `generate` writes.
extension DaemonIntegrationTests {
    @Suite("run on workload.replay")
    struct ReplayRun {
        static let azure = daemonRepositoryRoot.appendingPathComponent("Tests/Fixtures/traces/azure_conv_head.csv").path
        static let mooncake = daemonRepositoryRoot.appendingPathComponent("Tests/Fixtures/traces/mooncake_conv_head.jsonl").path

        /// A replay configuration of `file` at max speed, `clock.start` fixed so
        /// that `run` and `generate` write the same `time` values.
        static func configuration(_ file: String, _ format: String, extra: String = "", workload: String = "") throws -> Configuration {
            var configuration = try Configuration.parse(yaml: """
                workload:
                  random_seed: 11
                \(workload.isEmpty ? "" : "  " + workload + "\n")  replay: {file: \(file), format: \(format)\(extra)}
                """)
            configuration.clock.startUnixNanoseconds = fixedClockStart
            configuration.clock.mode = .accelerated
            configuration.clock.speed = nil  // max
            configuration.metrics.listen = "127.0.0.1:0"
            return configuration
        }

        /// The JSON Lines `generate` writes for a replay configuration.
        static func generated(_ configuration: Configuration) throws -> [String] {
            let url = FileManager.default.temporaryDirectory
                .appendingPathComponent("llm-workload-replay-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl")
            defer { try? FileManager.default.removeItem(at: url) }
            _ = try ReplayGenerator.write(configuration, to: FileOutput(path: url.path))
            return try jsonLines(at: url)
        }

        /// Runs `configuration` to a fresh mock cluster and reads every record back.
        static func runToKafka(_ configuration: Configuration, expected: [String]) async throws
            -> (status: Int32?, records: [ConsumedRecord], fixture: DaemonKafkaFixture, started: Date) {
            let fixture = try DaemonKafkaFixture()
            let run = fixture.configure(configuration)
            let started = Date()
            let (status, records) = try await onThread {
                let daemon = DaemonRun(configuration: run, options: RunOptions())
                let status = daemon.waitForStatus(timeout: 60)
                return (status, try fixture.consume(expecting: expected))
            }
            return (status, records, fixture, started)
        }

        static func field(_ name: String, _ line: String) -> String? {
            guard let start = line.range(of: ",\"\(name)\":") else { return nil }
            return String(line[start.upperBound...].prefix { $0 != "," && $0 != "}" })
        }

        @Test("each trace excerpt: the records consumed back are generate's lines, placed, ordered and watermarked", arguments: [
            (azure, "azure", ""),  // the default link: sent_at_s is earlier than time_s, the arrival
            (mooncake, "mooncake", "network: {latency_s: 0}"),  // hash_ids and chained sessions
        ])
        func excerptRoundTrip(file: String, format: String, workload: String) async throws {
            let configuration = try Self.configuration(file, format, workload: workload)
            let expected = try Self.generated(configuration)
            let requests = expected.filter { $0.hasPrefix("{\"type\":\"request\"") }
            #expect(requests.count == (format == "azure" ? 300 : 400), "one request per row")
            if format == "mooncake" { #expect(requests.allSatisfy { $0.contains(",\"hash_ids\":[") }) }
            let (status, records, fixture, started) = try await Self.runToKafka(configuration, expected: expected)
            #expect(status == 0)
            let facts = try checkKafkaStream(records, expectedLines: expected, runID: configuration.runID, topics: fixture.topics,
                                             partitions: fixture.partitions, producedDuring: started...Date())
            #expect(facts.dataRecords == expected.count)
            #expect(facts.watermarkRecords >= 7, "at least the final round on all 7 partitions")
        }

        @Test("loop: true runs three passes seamlessly: each pass shifted by the span, fresh sessions, identical to generate")
        func loopThreePasses() async throws {
            let configuration = try Self.configuration(Self.azure, "azure", extra: ", loop: true",
                                                       workload: "total_requests_to_generate: 900")
            let expected = try Self.generated(configuration)
            let (status, records, fixture, started) = try await Self.runToKafka(configuration, expected: expected)
            #expect(status == 0)
            try checkKafkaStream(records, expectedLines: expected, runID: configuration.runID, topics: fixture.topics,
                                 partitions: fixture.partitions, producedDuring: started...Date())

            // The published requests, by seq: pass k's row i arrives at k x span + row i's offset.
            let published = try DecodedRecord.decode(records).filter { $0.fields.type == "request" }.sorted { $0.seq < $1.seq }
            #expect(published.count == 900)
            guard published.count == 900 else { return }
            let sent = published.map { Double(Self.field("time_s", $0.text) ?? "") ?? .nan }
            let span = sent[299] - sent[0]
            #expect(span > 0 && sent[0] == 0)
            for k in 1..<3 {
                let shifted = (0..<300).filter { abs(sent[k * 300 + $0] - (Double(k) * span + sent[$0])) > 1e-9 }
                #expect(shifted.isEmpty, "pass \(k): rows not at k x span + offset: \(shifted.prefix(5))")
            }
            #expect(zip(sent, sent.dropFirst()).allSatisfy { $0 <= $1 }, "arrivals never go back across passes")
            #expect(Set(published.compactMap(\.fields.sessionId)).count == 900, "fresh session IDs each pass")
        }

        @Test("--shard k/3 over a replay: each shard keeps its sessions; their union is the single run, which is generate's stream")
        func shardsOfAReplay() async throws {
            var configuration = try Self.configuration(Self.mooncake, "mooncake")
            configuration.metrics.listen = ""
            let expected = try Self.generated(configuration)
            let run = configuration
            let (single, shards) = try await onThread {
                let single = try Sharding.runToFile(run, shard: nil)
                let shards = try (0..<3).map { try Sharding.runToFile(run, shard: Shard(index: Int32($0), count: 3)) }
                return (single, shards)
            }
            #expect(single.status == 0 && shards.map(\.status) == [0, 0, 0])
            #expect(single.lines == expected)
            var union: [String] = []
            for (k, shard) in shards.enumerated() {
                let foreign = shard.lines.filter { line in
                    guard let id = Sharding.sessionID(line) else { return true }
                    return Murmur2.partition(forKey: Array(id.utf8), partitionCount: 3) != Int32(k)
                }
                #expect(!shard.lines.isEmpty && foreign.isEmpty, "shard \(k): \(shard.lines.count) lines, \(foreign.count) foreign")
                union += shard.lines
            }
            #expect(union.sorted { (Sharding.seq($0) ?? 0) < (Sharding.seq($1) ?? 0) } == expected)
        }
    }
}
