import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// The start-up checks `validate`, `generate` and `run` share.
@Suite struct PreflightTests {
    func preflightProblems(_ yaml: String) throws -> [ConfigProblem] {
        Preflight(try Configuration.parse(yaml: yaml)).problems
    }

    @Test func rfc3339NeverTrapsOverEveryYearAndOffset() {
        // Every year, both extreme offsets: parse returns a value or nil, never traps,
        // and exactly the instants inside Int64 nanoseconds come back.
        for year in 0...9999 {
            for offset in ["+23:59", "-23:59", "Z", "+14:00"] {
                let text = String(format: "%04d-12-31T23:59:59.999999999", year) + offset
                let seconds = RFC3339.parseSeconds(text)
                #expect(seconds != nil)
                if let seconds {
                    let fits = seconds.seconds > -9_223_372_036 && seconds.seconds < 9_223_372_036
                    #expect((RFC3339.parse(text) != nil) == fits, "\(text)")
                }
            }
        }
        #expect(RFC3339.parse("2026-02-29T00:00:00Z") == nil)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        #expect(RFC3339.parse("2026-04-31T00:00:00Z") == nil)
        #expect(RFC3339.parse("2026-01-01T00:00:00+24:00") == nil)
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parse("1970-01-01T01:00:00+01:00") == 0)
    }

    @Test func brokerListsAreParsedStrictly() {
        for good in ["localhost:9092", "a:1,b:65535", "kafka-0.kafka.svc:9092, kafka-1.kafka.svc:9092", "[::1]:9092",
                     "SASL_SSL://broker:9093", "broker", "10.0.0.1:9092"] {
            #expect(BrokerList.problems(good).isEmpty, "\(good): \(BrokerList.problems(good))")
        }
        for bad in ["", " ", "a:0", "a:65536", "a:99999", "a:-1", "a:+1", "a:", "a:1,", ",a:1", "a:1,,b:2", "not a host:1",
                    "::1:9092", "[::1", "FOO://a:1", "a..b:1", "-a:1", "a:1x"] {
            #expect(!BrokerList.problems(bad).isEmpty, "\(bad) accepted")
        }
        #expect(BrokerList.problems("a:1,b:0,c:99999").count == 2)  // every bad entry, not the first
    }

    @Test func topicNamesFollowKafkasRules() {
        #expect(TopicName.problem("llm.requests") == nil)
        #expect(TopicName.problem(String(repeating: "a", count: 249)) == nil)
        for bad in ["", ".", "..", "a b", "ä", String(repeating: "a", count: 250), "a/b"] {
            #expect(TopicName.problem(bad) != nil, "\(bad) accepted")
        }
        #expect(TopicName.collide("llm.requests", "llm_requests"))
        #expect(!TopicName.collide("llm.requests", "llm.sessions"))
    }

    @Test func librdkafkaJudgesThePropertiesAndTheirCombination() throws {
        #expect(try preflightProblems(configYAML(top: "kafka: {librdkafka: {linger.ms: '20', security.protocol: plaintext}}")).isEmpty)
        let unknown = try preflightProblems(configYAML(top: "kafka: {librdkafka: {no.such.thing: '1', linger.ms: banana}}"))
        #expect(Set(unknown.map(\.path)) == ["kafka.librdkafka.no.such.thing", "kafka.librdkafka.linger.ms"])
        let combination = try preflightProblems(configYAML(top: "kafka: {librdkafka: {acks: '1'}}"))
        #expect(combination.map(\.path) == ["kafka.librdkafka"])
        #expect(combination.first?.message.contains("acks") == true)
    }

    @Test func everyProblemIsListedAtOnce() throws {
        let found = try preflightProblems(configYAML(top: """
            kafka: {brokers: "a:0", topics: {requests: x, sessions: x}}
            metrics: {listen: "nowhere"}
            """))
        #expect(Set(found.map(\.path)) == ["kafka.brokers", "kafka.topics.sessions", "metrics.listen"])
    }

    @Test func aSaturatedLinkIsRejectedWithItsFigureAndABusyOneWarned() throws {
        // About 14.6 requests/s x 1919 bytes x 8 = 224 kbit/s.
        let saturated = Preflight(try Configuration.parse(yaml: configYAML(workload: "network: {latency_s: 0.001, bandwidth_bps: 2.0e5}")))
        #expect(saturated.problems.map(\.path) == ["workload.network"])
        #expect(saturated.problems.first?.message.contains("link saturated: utilisation 1.12") == true, "\(saturated.problems)")
        let busy = Preflight(try Configuration.parse(yaml: configYAML(workload: "network: {latency_s: 0.001, bandwidth_bps: 2.5e5}")))
        #expect(busy.problems.isEmpty)
        #expect(busy.warnings.map(\.path) == ["workload.network"])
    }

    @Test func expectedOpenSessionsAtTheCeilingAreRejected() throws {
        let tight = try Configuration.parse(yaml: configYAML(workload: "limits: {max_open_sessions: 40}"))
        #expect(Preflight(tight).problems.map(\.path) == ["workload.limits.max_open_sessions"])  // expected about 48
        let infinite = try Configuration.parse(yaml: configYAML(profile: "follow_up_inter_arrival_time_dist_config: {type: Pareto, shape: 0.9, scale: 1}"))
        #expect(Preflight(infinite).problems.first?.message.contains("infinite") == true)
    }
}
