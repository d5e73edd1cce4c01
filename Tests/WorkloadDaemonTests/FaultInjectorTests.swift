import Testing
@testable import WorkloadDaemon
@testable import WorkloadConfig
@testable import WorkloadModel

/// The fault decisions: a pure function of the seed and `seq`, counted live
/// in the metrics; late records leave only behind a watermark past them.
@Suite struct FaultInjectorTests {
    static func event(_ seq: UInt64, at time: VirtualNanoseconds) -> Event {
        .sessionStarted(SessionStartedEvent(seq: seq, time: time, sessionID: seq, profile: 0, client: 0, conversational: false))
    }

    @Test func decisionsRepeatAndAreCountedInTheMetrics() throws {
        var configuration = FaultConfiguration()
        configuration.lateProbability = 0.2
        configuration.lateDelay = Distribution(.constant(2))
        configuration.duplicateProbability = 0.1
        configuration.dropProbability = 0.1
        let metrics = DaemonMetrics(profiles: ["p"], topics: ["t"], version: "test")
        let first = FaultInjector(configuration, seed: 5, metrics: metrics)
        let second = FaultInjector(configuration, seed: 5, metrics: nil)
        let none = [UInt8]()
        var copies: [Int] = []
        none.withUnsafeBytes { bytes in
            for seq in 0..<2_000 as Range<UInt64> {
                let event = Self.event(seq, at: VirtualNanoseconds(seq) * 10_000_000)
                let a = first.copies(of: event, key: bytes, value: bytes)
                #expect(a == second.copies(of: event, key: bytes, value: bytes))
                copies.append(a)
            }
        }
        #expect(first.counts.dropped > 0 && first.counts.duplicated > 0 && first.holding > 0)
        // Nothing leaves before its delay is over or before a watermark passes it.
        #expect(first.released(after: 0).isEmpty)
        let held = first.holding
        let out = first.released(after: 30_000_000_000)  // past every event (20 s) plus its 2 s delay
        #expect(out.count == held && first.holding == 0 && first.counts.late == held)
        #expect(out.allSatisfy { $0.event.time < 30_000_000_000 })
        let text = metrics.render()
        #expect(text.contains("llm_workload_faults_injected_total{kind=\"drop\"} \(first.counts.dropped)"), "\(text)")
        #expect(text.contains("llm_workload_faults_injected_total{kind=\"duplicate\"} \(first.counts.duplicated)"))
        #expect(text.contains("llm_workload_faults_injected_total{kind=\"late\"} \(held)"))
    }
}
