import Foundation
import Testing

/// Configurations once measured to hang, crash or exhaust memory, one by one: each now exits 78 from
/// `validate` and `run`, and `validate` prints the load figures.
@Suite(.timeLimit(.minutes(10))) struct IssueBoundsTests {
    static let reported: [(String, [(path: String, value: String)])] = [
        ("watermark 1e300", [("clock.watermark_interval_s", "1e300")]),
        ("flush 1e300", [("kafka.flush_timeout_s", "1e300")]),
        ("year 9999", [("clock.start", "'9999-06-01T00:00:00Z'")]),
        ("year 1 +14:00", [("clock.start", "'0001-01-01T00:00:00+14:00'")]),
        ("year 1600 +14:00", [("clock.start", "'1600-01-01T00:00:00+14:00'")]),
        ("1e8 partitions", [("kafka.embedded_partitions", "1e8")]),
        ("unknown librdkafka property", [("kafka.librdkafka", "{not.a.property: 'x'}")]),
        ("listen not an address", [("metrics.listen", "not an address")]),
        ("listen port 70000", [("metrics.listen", "'127.0.0.1:70000'")]),
        ("equal topics", [("kafka.topics", "{requests: t, sessions: t}")]),
        ("empty topic", [("kafka.topics.sessions", "''")]),
        // Valid before, memory bombs: rejected with their figures now.
        ("follow-up gap 0, continuation 1, 10^6 turns", [
            ("workload.max_turns_per_session", "1000000"), ("\(BoundsTable.profile).continuation_probability", "1.0"),
            ("\(BoundsTable.profile).follow_up_inter_arrival_time_dist_config", "{type: Constant, value: 0}"),
        ]),
        ("inter-arrival 1 ns", [("\(BoundsTable.profile).inter_arrival_time_dist_config", "{type: Constant, value: 1e-9}")]),
        ("inter-arrival 1 ns on a 10^18 bps link", [
            ("\(BoundsTable.profile).inter_arrival_time_dist_config", "{type: Constant, value: 1e-9}"),
            ("\(BoundsTable.profile).network.bandwidth_bps", "1e18"),
        ]),
        ("10^6 turns, continuation 1", [
            ("workload.max_turns_per_session", "1000000"), ("\(BoundsTable.profile).continuation_probability", "1.0"),
        ]),
    ]

    @Test func everyReportedFailureIsAConfigurationError() async throws {
        for (what, changes) in Self.reported {
            var tree = try BoundsTable.base()
            for change in changes { try tree.set(change.path, yaml: change.value) }
            let file = try temporaryFile("issue-\(what.filter(\.isLetter)).yaml", contents: try tree.yaml())
            let validate = try await runCLI(["validate", "--config", file.path], timeout: 30)
            let run = try await runCLI(["run", "--config", file.path, "--sink", "null", "--speed", "max", "--duration", "10"], timeout: 30)
            #expect(validate.status == 78, "\(what): validate \(validate.status) \(validate.stderr.prefix(300))")
            #expect(run.status == 78, "\(what): run \(run.status) \(run.stderr.prefix(300))")
            #expect(validate.stderr == run.stderr, "\(what): the same problems from both")
        }
    }

    @Test func validatePrintsLinkUtilisationAndExpectedOpenSessions() async throws {
        let example = try await runCLI(["validate", "--config", "config/example.yaml"])
        #expect(example.status == 0)
        #expect(example.output.contains("workload.network: utilisation 2.241e-05, 14.6 requests/s x 1919 bytes x 8 / 1e+10 bps"), "\(example.output)")
        #expect(example.output.contains("expected open sessions: 47.98 (limit 1000000)"))
        let fleet = try await runCLI(["validate", "--config", "config/mixed-fleet.yaml"])
        #expect(fleet.status == 0)
        #expect(fleet.output.contains("client_profiles[1].network: utilisation"), "\(fleet.output)")
        #expect(fleet.output.contains("expected requests in flight:"))
    }

    @Test func aRunReachingItsMemoryCeilingStopsCleanlyWith78() async throws {
        // Expected 48 open sessions: 60 passes validate with a warning, and a burst reaches it at 33.18 s.
        var tree = try ConfigTree(file: "config/example.yaml")
        try tree.set("workload.limits", yaml: "{max_open_sessions: 60}")
        try tree.set("metrics.listen", yaml: "''")
        let file = try temporaryFile("ceiling.yaml", contents: try tree.yaml())
        let validate = try await runCLI(["validate", "--config", file.path])
        #expect(validate.status == 0)
        #expect(validate.stderr.contains("warning: workload.limits.max_open_sessions: expected open sessions 47.98 are above half the limit 60"))
        let message = "workload.limits.max_open_sessions: 60 sessions open at virtual time 33.182064552 s; the run was stopped there"
        let generate = try await runCLI(["generate", "--config", file.path])
        #expect(generate.status == 78)
        #expect(generate.stderr.contains(message), "\(generate.stderr)")
        let lines = generate.output.split(separator: "\n")
        #expect(lines.filter { $0.contains("\"type\":\"session_started\"") }.count == lines.filter { $0.contains("\"type\":\"session_ended\"") }.count)
        #expect(lines.last?.contains("\"time_s\":33.182064552") == true)
        let run = try await runCLI(["run", "--config", file.path, "--sink", "null", "--speed", "max", "--mode", "accelerated"])
        #expect(run.status == 78)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func aSaturatedLinkIsRejectedWithItsFigure() async throws {
        var tree = try ConfigTree(file: "config/example.yaml")
        try tree.set("workload.network", yaml: "{latency_s: 0.0001, bandwidth_bps: 2.0e5}")
        let file = try temporaryFile("saturated.yaml", contents: try tree.yaml())
        let result = try await runCLI(["validate", "--config", file.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("workload.network: link saturated: utilisation 1.12 (14.6 requests/s x 1919 bytes x 8 / 2e+05 bps)"), "\(result.stderr)")
    }
}
