import Foundation
import Testing

/// `bench` reports the figures the Benchmarking article lists. Only the shape is checked: figures
/// depend on the machine, and tests never assert on speed.
@Suite(.timeLimit(.minutes(10))) struct BenchTests {
    static let keys: Set<String> = [
        "core_events_per_s", "json_events_per_s", "kafka_events_per_s", "baseline_events_per_s",
        "kafka_over_baseline", "lateness_ms", "lateness_state_dir_ms", "rss_mib_1e6", "rss_mib_1e7", "first_event_ms",
    ]

    @Test func jsonHasExactlyTheIssueKeys() async throws {
        // Memory probes run 10^6 requests, too long for a debug build: skipped
        // here (their child is tested below), so those two are null.
        let result = try await runCLI([
            "bench", "--config", "config/example.yaml", "--quick", "--json", "--events", "2000",
            "--pacing-seconds", "0.2", "--skip", "memory",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(Set(object.keys) == Self.keys)
        for key in ["core_events_per_s", "json_events_per_s", "kafka_events_per_s", "baseline_events_per_s",
                    "kafka_over_baseline", "first_event_ms"] {
            let value = object[key] as? Double
            #expect(value != nil && value! > 0, "\(key): \(object[key] ?? "missing")")
        }
        #expect(object["rss_mib_1e6"] is NSNull)
        #expect(object["rss_mib_1e7"] is NSNull)
        for key in ["lateness_ms", "lateness_state_dir_ms"] {
            let lateness = try #require(object[key] as? [String: [String: Double]], "\(key)")
            #expect(Set(lateness.keys) == ["1000", "10000"], "\(key)")
            for quantiles in lateness.values {
                #expect(Set(quantiles.keys) == ["p50", "p99", "p999"])
                #expect(quantiles.values.allSatisfy { $0 >= 0 })
            }
        }
    }

    @Test func pacingIsolatedRunsTheClusterOnAnotherCPU() async throws {
        let result = try await runCLI([
            "bench", "--config", "config/example.yaml", "--quick", "--pacing-isolated", "--pacing-seconds", "0.2",
            "--skip", "core,json,metrics,kafka,memory,first-event",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let table = String(decoding: result.stdout, as: UTF8.self)
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("lateness @ ") }
        #expect(rows.count == 2, "\(table)")
        // Two CPUs or more: the cluster on the last, the bench thread on the first, as the kernel reports them.
        let last = ProcessInfo.processInfo.activeProcessorCount - 1
        for row in rows {
            #expect(row.contains("dev-kafka on CPUs \(last), bench thread on CPUs 0"), "\(row)")
            #expect(row.contains("load average "), "\(row)")
        }
        let refused = try await runCLI(["bench", "--pacing-isolated", "--pacing-brokers", "127.0.0.1:9092"])
        #expect(refused.status == 64, "\(refused.stderr)")
    }

    @Test func baselineConfigAddsItsFiguresAndRatios() async throws {
        let result = try await runCLI([
            "bench", "--config", "config/example.yaml", "--baseline-config", "config/mixed-fleet.yaml",
            "--quick", "--json", "--events", "2000", "--skip", "kafka,pacing,memory,first-event",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let extra: Set<String> = [
            "baseline_config_core_events_per_s", "baseline_config_json_events_per_s",
            "core_over_baseline_config", "json_over_baseline_config",
        ]
        #expect(Set(object.keys) == Self.keys.union(extra))
        for key in extra {
            let value = object[key] as? Double
            #expect(value != nil && value! > 0, "\(key): \(object[key] ?? "missing")")
        }
        // The ratio is the quotient of the two printed figures (to their rounding).
        let json = try #require(object["json_events_per_s"] as? Double)
        let reference = try #require(object["baseline_config_json_events_per_s"] as? Double)
        let ratio = try #require(object["json_over_baseline_config"] as? Double)
        #expect(abs(ratio - json / reference) < 0.001 + 1 / reference)
        #expect(result.stderr.contains("json (baseline config)"))
    }

    @Test func badBaselineConfigIsAConfigError() async throws {
        let result = try await runCLI(["bench", "--baseline-config", "no/such/file.yaml", "--quick"])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("no/such/file.yaml"))
    }

    @Test func aReplayConfigIsRefusedNotATrap() async throws {
        let trace = repositoryRoot.appendingPathComponent("Tests/Fixtures/traces/mooncake_conv_head.jsonl").path
        let config = try temporaryFile("bench-replay.yaml", contents: """
            workload:
              random_seed: 1
              replay: {file: \(trace), format: mooncake}
            """)
        let result = try await runCLI(["bench", "--config", config.path, "--quick", "--skip", "kafka,pacing,memory,first-event"])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("workload.replay"))
    }

    @Test func memoryProbeChildReportsItsPeak() async throws {
        let result = try await runCLI(["bench", "--config", "config/example.yaml", "--probe-memory", "2000"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.output.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["requests"] as? Int == 2000)
        #expect((object["vmhwm_kib"] as? Int ?? 0) > 0)
        #expect((object["events"] as? Int ?? 0) > 2000)
    }
}
