import Foundation
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig

/// With `warm_start` the example runs at its steady
/// request rate from the first second; without it the known ramp-up remains
/// (turns 2.. of sessions that would have begun before 0 are missing).
@Suite struct WarmStartTests {
    static func example(seed: UInt64, duration: Double, warm: Bool) throws -> WorkloadSpec {
        var configuration = try Configuration.load(path: daemonRepositoryRoot.appendingPathComponent("config/example.yaml").path)
        configuration.override(duration: duration, seed: seed)
        configuration.workload.warmStart = warm
        return configuration.workload
    }

    /// Requests whose arrival falls in [0, window), and the session_started events.
    static func run(_ spec: WorkloadSpec, window: Double) -> (requests: Int, started: [SessionStartedEvent], events: [Event]) {
        var engine = WorkloadEngine(spec: spec)
        var requests = 0
        var started: [SessionStartedEvent] = []
        var events: [Event] = []
        while let event = engine.next() {
            events.append(event)
            switch event {
            case .request(let e) where Double(e.time) / 1e9 < window: requests += 1
            case .sessionStarted(let e): started.append(e)
            default: break
            }
        }
        return (requests, started, events)
    }

    /// Standard error of a request count over `window` seconds at steady state:
    /// sessions are Poisson at rate R and bring K requests each, so
    /// Var = R T E[K^2] (a bound: sessions cut by the window's edges bring fewer).
    static func standardError(_ spec: WorkloadSpec, window: Double) -> Double {
        let p = spec.profiles[0]
        let turns = TurnCountDistribution(maxTurns: spec.maxTurnsPerSession, conversationalProbability: p.conversationalProbability,
                                          continuationProbability: p.continuationProbability)
        return (spec.figures.sessionRate * window * turns.secondMoment).squareRoot()
    }

    @Test("warm start: the request rate over the first 600 s is within 3 standard errors of validate's steady rate")
    func firstTenMinutesAtSteadyRate() throws {
        let spec = try Self.example(seed: 42, duration: 600, warm: true)
        let (requests, started, events) = Self.run(spec, window: 600)
        let expected = spec.figures.requestRate * 600
        let se = Self.standardError(spec, window: 600)
        #expect(abs(Double(requests) - expected) < 3 * se, "\(requests) requests in 600 s, steady \(expected) (SE \(se))")
        print("must-show 5: \(requests) requests in the first 600 s = \(Double(requests) / 600)/s, steady \(spec.figures.requestRate)/s, SE \(se / 600)/s")

        // The sessions begun before 0 are announced at 0, first, oldest first, then run on.
        let warm = started.filter { $0.beganAt != nil }
        #expect(warm.count > 20, "\(warm.count) sessions in progress at 0")
        #expect(warm.allSatisfy { $0.time == 0 && $0.beganAt! < 0 && $0.beganAt! >= -spec.burnInNanoseconds })
        #expect(events.prefix(warm.count).allSatisfy { if case .sessionStarted(let e) = $0 { e.beganAt != nil } else { false } })
        #expect(warm.map { $0.beganAt! } == warm.map { $0.beganAt! }.sorted())
        // Their first request in the run is a later turn, never turn 1.
        let warmIDs = Set(warm.map(\.sessionID))
        var firstTurn: [UInt64: Int32] = [:]
        for case .request(let e) in events where warmIDs.contains(e.sessionID) && firstTurn[e.sessionID] == nil { firstTurn[e.sessionID] = e.turn }
        #expect(firstTurn.count == warm.count && firstTurn.values.allSatisfy { $0 >= 2 })
        // Every session still has started, its turns, ended, in order.
        var open = Set<UInt64>()
        for event in events {
            switch event {
            case .sessionStarted(let e): #expect(open.insert(e.sessionID).inserted)
            case .request(let e): #expect(open.contains(e.sessionID))
            case .sessionEnded(let e): #expect(open.remove(e.sessionID) != nil)
            }
        }
        #expect(open.isEmpty)
    }

    @Test("without warm start the ramp-up remains: the first 45 s lack the later turns of sessions begun before 0")
    func rampUpWithoutWarmStart() throws {
        // 40 seeds x 45 s (the longest session: 9 follow-ups of 5 s). Cold, the
        // expected deficit is R sum_k P(K >= k) 5 (k - 1), 142 requests per run.
        var cold = 0, warm = 0
        let seeds: [UInt64] = Array(1...40)
        for seed in seeds {
            cold += Self.run(try Self.example(seed: seed, duration: 45, warm: false), window: 45).requests
            warm += Self.run(try Self.example(seed: seed, duration: 45, warm: true), window: 45).requests
        }
        let spec = try Self.example(seed: 1, duration: 45, warm: false)
        let p = spec.profiles[0]
        let turns = TurnCountDistribution(maxTurns: spec.maxTurnsPerSession, conversationalProbability: p.conversationalProbability,
                                          continuationProbability: p.continuationProbability)
        var deficit = 0.0
        var reach = 1.0
        for (k, probability) in turns.probabilities.enumerated() {
            deficit += reach * 5 * Double(k)  // turn k+1 is sent 5k s after turn 1
            reach -= probability
        }
        deficit *= spec.figures.sessionRate
        let runs = Double(seeds.count)
        let steady = spec.figures.requestRate * 45 * runs
        let se = Self.standardError(spec, window: 45) * runs.squareRoot()
        #expect(abs(Double(warm) - steady) < 3 * se, "warm: \(warm), steady \(steady), SE \(se)")
        #expect(abs(Double(cold) - (steady - deficit * runs)) < 3 * se, "cold: \(cold), expected \(steady - deficit * runs), SE \(se)")
        #expect(Double(warm - cold) > 10 * se, "warm \(warm) vs cold \(cold)")
        print("must-show 5 (ramp-up): first 45 s over 40 runs: warm \(warm), cold \(cold), steady \(steady), SE \(se)")
    }

    @Test("warm start with a load: the burn-in runs under the load too, and the run is deterministic")
    func warmStartWithLoad() throws {
        var spec = try Self.example(seed: 3, duration: 120, warm: true)
        spec.load = LoadSpec(diurnal: DiurnalCycle(periodSeconds: 600, peakAtSeconds: 0, peakToTrough: 3))
        let first = Self.run(spec, window: 120)
        #expect(first.events == Self.run(spec, window: 120).events)
        #expect(first.started.contains { $0.beganAt != nil })
    }
}
