import Testing
import WorkloadDaemon
import WorkloadConfig

/// A run is its configuration, seed, bounds and start anchor.
@Suite struct RunIdentityTests {
    static func configuration(start: String? = nil) throws -> Configuration {
        try Configuration.parse(yaml: """
            workload:
              total_duration: 60
              random_seed: 3
              client_profiles:
                - profile_name: chat
                  inter_arrival_time_dist_config: {type: Exponential, rate: 5.0}
                  prompt_tokens_dist_config: {type: Uniform, low: 100, high: 500, is_int: true}
                  max_output_tokens_dist_config: {type: Uniform, low: 100, high: 500, is_int: true}
                  conversational_probability: 0.6
                  streaming_response_probability: 0.9
            \(start.map { "clock: {start: \"\($0)\"}" } ?? "")
            """)
    }

    @Test func theStartAnchorIsPartOfTheRun() throws {
        let base = try Self.configuration()
        let epoch = RunIdentity(configuration: base, anchorUnixNanoseconds: 0)
        #expect(epoch.runID == base.runID, "generate's anchor (the epoch) keeps today's run_id")
        let one = RunIdentity(configuration: base, anchorUnixNanoseconds: 1_767_225_600_000_000_000)
        let same = RunIdentity(configuration: base, anchorUnixNanoseconds: 1_767_225_600_000_000_000)
        let later = RunIdentity(configuration: base, anchorUnixNanoseconds: 1_767_225_600_000_000_001)
        #expect(one.runID != base.runID && one.runID == same.runID && later.runID != one.runID)
        #expect(one.runID.count == 16)
    }

    @Test func anExplicitStartIsAlreadyInTheConfiguration() throws {
        let fixed = try Self.configuration(start: "2026-01-01T00:00:00Z")
        let run = RunIdentity(configuration: fixed, anchorUnixNanoseconds: fixed.clock.startUnixNanoseconds!)
        #expect(run.runID == fixed.runID, "run and generate agree")
        #expect(fixed.runID != (try Self.configuration(start: "2026-01-01T00:00:01Z")).runID)
    }

    @Test func seedAndBoundsAreToo() throws {
        let base = try Self.configuration()
        var seed = base
        seed.override(seed: 4)
        var duration = base
        duration.override(duration: 61)
        var requests = base
        requests.override(requests: 10)
        #expect(Set([base.runID, seed.runID, duration.runID, requests.runID]).count == 4)
    }
}

/// A start's identity is applied once, by `Configuration.forRun`.
@Suite struct RunIdentityAppliedTests {
    @Test func aContinuedRunTakesTheRecordedSeedAndItsAnchoredID() throws {
        var chosen = try RunIdentityTests.configuration()
        chosen.seedWasChosen = true
        let identity = RunIdentity(configuration: chosen, seed: 77, anchorUnixNanoseconds: 1_767_225_600_000_000_000)
        let run = chosen.forRun(identity: identity, brokers: "127.0.0.1:1")
        #expect(run.workload.seed == 77 && !run.seedWasChosen)
        #expect(run.runID == identity.runID && run.kafka.brokers == "127.0.0.1:1")
        // The same as a start with that seed given, anchored at the same instant.
        var given = try RunIdentityTests.configuration()
        given.override(seed: 77)
        #expect(RunIdentity(configuration: given, anchorUnixNanoseconds: 1_767_225_600_000_000_000).runID == identity.runID)
        // Without an anchor (generate), the derived ID of that seed.
        #expect(RunIdentity(configuration: chosen, seed: 77, anchorUnixNanoseconds: 0).runID == given.runID)
    }

    @Test func aGivenRunIDIsKept() throws {
        var configuration = try RunIdentityTests.configuration()
        configuration.runID = "mine"
        configuration.runIDWasGiven = true
        let identity = RunIdentity(configuration: configuration, anchorUnixNanoseconds: 123)
        #expect(identity.runID == "mine" && configuration.forRun(identity: identity, brokers: nil).runID == "mine")
    }
}
