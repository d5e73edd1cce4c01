import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// Every bad `load` input is reported with its key
/// path and value, all at once (the CLI turns them into exit 78: see
/// CLITests.LoadCommandTests).
@Suite struct LoadConfigTests {
    static let cases: [(what: String, workload: String, profile: String, expected: String)] = [
        ("non-increasing schedule times", "load:\n  schedule: {points: [[0, 1], [3600, 2], [3600, 1]]}", "",
         "workload.load.schedule.points[2][0]: times must increase (got 3600 after 3600)"),
        ("times closer than the clock's nanosecond", "load:\n  schedule: {points: [[0, 1], [1.0e-10, 2]]}", "",
         "workload.load.schedule.points[1][0]: times must increase (got 1.0e-10 after 0)"),
        ("negative multiplier", "load:\n  schedule: {points: [[0, 1], [60, -2]]}", "",
         "workload.load.schedule.points[1][1]: multiplier must be >= 0 (got -2)"),
        ("bad interpolation", "load:\n  schedule: {points: [[0, 1]], interpolation: cubic}", "",
         "workload.load.schedule.interpolation: must be linear or step (got cubic)"),
        ("repeat shorter than the points", "load:\n  schedule: {points: [[0, 1], [7200, 2]], repeat_s: 3600}", "",
         "workload.load.schedule.repeat_s: must be greater than the last point's time, 7200 (got 3600)"),
        ("peak_to_trough below 1", "load:\n  diurnal: {period_s: 86400, peak_at_s: 0, peak_to_trough: 0.5}", "",
         "workload.load.diurnal.peak_to_trough: must be between 1 and 1000000 (got 0.5)"),
        ("negative spike multiplier", "load:\n  spikes: [{at_s: 10, duration_s: 5, multiplier: -1}]", "",
         "workload.load.spikes[0].multiplier: must be between 0 and 1000000 (got -1)"),
        ("ramps longer than the spike", "load:\n  spikes: [{at_s: 10, duration_s: 5, multiplier: 2, ramp_s: 3}]", "",
         "workload.load.spikes[0].ramp_s: both ramps must fit in duration_s = 5 (got 3)"),
        ("overlapping spikes with conflicting ramps",
         "load:\n  spikes: [{at_s: 100, duration_s: 100, multiplier: 2, ramp_s: 10}, {at_s: 190, duration_s: 50, multiplier: 3}]", "",
         "workload.load.spikes[1]: overlaps spikes[0] on [190, 200] s while one of them ramps"),
        ("MMPP with one state", "load:\n  bursts: {type: MMPP, states: [{multiplier: 2, mean_duration_s: 60}]}", "",
         "workload.load.bursts.states: an MMPP needs at least two states (got 1)"),
        ("MMPP with a non-positive duration",
         "load:\n  bursts: {type: MMPP, states: [{multiplier: 2, mean_duration_s: 60}, {multiplier: 1, mean_duration_s: 0}]}", "",
         "workload.load.bursts.states[1].mean_duration_s: must be between 0.001 and 1000000000 (got 0)"),
        ("not an MMPP", "load:\n  bursts: {type: Hawkes, states: [{multiplier: 2, mean_duration_s: 60}, {multiplier: 1, mean_duration_s: 5}]}", "",
         "workload.load.bursts.type: must be MMPP (got Hawkes)"),
        ("per-profile load in mixture mode", "", "load: {diurnal: {peak_to_trough: 2}}",
         "workload.client_profiles[0].load: a profile's own load needs arrival_mode: superposition"),
        ("unknown load key", "load:\n  diurnl: {peak_to_trough: 2}", "",
         "workload.load.diurnl: unknown key (did you mean 'diurnal'?)"),
    ]

    @Test("each bad load input names its key path and value", arguments: 0..<cases.count)
    func badInput(_ index: Int) {
        let c = Self.cases[index]
        let found = problems(configYAML(workload: c.workload, profile: c.profile))
        #expect(found.contains { $0.hasPrefix(c.expected) }, "\(c.what): \(found)")
    }

    @Test("a schedule that is 0 forever is an error only in a run without total_duration")
    func zeroForever() {
        let unbounded = configYAML(workload: "load:\n  schedule: {points: [[0, 1], [600, 0]]}").replacingOccurrences(of: "total_duration: 10", with: "total_duration: null")
        #expect(problems(unbounded).contains { $0.hasPrefix("workload.load.schedule.points[1][1]: the schedule is 0 forever from 600 s on") }, "\(problems(unbounded))")
        let repeating = configYAML(workload: "load:\n  schedule: {points: [[0, 0], [600, 0]], repeat_s: 3600}").replacingOccurrences(of: "total_duration: 10", with: "total_duration: null")
        #expect(problems(repeating).contains { $0.hasPrefix("workload.load.schedule.points: every multiplier is 0") }, "\(problems(repeating))")
        #expect(problems(configYAML(workload: "load:\n  schedule: {points: [[0, 1], [600, 0]]}")).isEmpty)
    }

    @Test("all problems at once")
    func allAtOnce() {
        let yaml = configYAML(workload: """
            load:
              schedule: {points: [[0, -1], [0, 1]]}
              diurnal: {peak_to_trough: 0}
              bursts: {states: [{multiplier: 1, mean_duration_s: -1}]}
            """)
        let found = problems(yaml)
        for prefix in ["workload.load.schedule.points[0][1]", "workload.load.schedule.points[1][0]", "workload.load.diurnal.peak_to_trough",
                       "workload.load.bursts.states:", "workload.load.bursts.states[0].mean_duration_s"] {
            #expect(found.contains { $0.hasPrefix(prefix) }, "\(prefix) missing from \(found)")
        }
    }

    @Test("the day-long example loads, and its effective configuration loads back to the same workload")
    func dayLongExampleRoundTrips() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try Configuration.load(path: root.appendingPathComponent("config/day-long.yaml").path)
        let load = try #require(configuration.workload.load)
        #expect(load.diurnal == DiurnalCycle(periodSeconds: 86_400, peakAtSeconds: 50_400, peakToTrough: 2))
        #expect(load.spikes == [LoadSpike(atSeconds: 45_000, durationSeconds: 1800, multiplier: 1.5, rampSeconds: 300)])
        #expect(load.bursts?.states.count == 2)
        #expect(configuration.workload.warmStart)
        let again = try Configuration.parse(yaml: configuration.effectiveYAML)
        #expect(again.workload == configuration.workload)
        let report = configuration.figuresReport
        #expect(report.contains("load over [0, 86400] s"), "\(report)")
        #expect(report.contains("warm_start: burn-in of 45 s"), "\(report)")
    }

    @Test("superposition takes a per-profile load, and validate prints its figures per profile and overall")
    func perProfileLoad() throws {
        let yaml = configYAML(workload: "arrival_mode: superposition\nload: {diurnal: {peak_to_trough: 3}}",
                              profile: "load: {schedule: {points: [[0, 2]]}, bursts: {states: [{multiplier: 1, mean_duration_s: 10}, {multiplier: 3, mean_duration_s: 10}]}}")
        let configuration = try Configuration.parse(yaml: yaml)
        #expect(configuration.workload.profiles[0].load?.schedule?.points.first?.multiplier == 2)
        let figures = try #require(configuration.workload.loadFigures)
        // Over 10 s of a daily cycle peaking at 0, m is about its maximum 1.5, times the schedule's 2.
        #expect(abs(figures.profiles[0].maximum - 3) < 1e-6, "\(figures.profiles[0])")
        #expect(figures.profiles[0].idc60 != nil)
        #expect(configuration.figuresReport.contains("overall"))
    }
}
