import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport
import WorkloadConfig
import WorkloadModel
import WorkloadTraces

/// A fitted configuration is a model of the trace's load, not of its first
/// hour only: run for six hours, every hour from the second on has the
/// trace's request rate, IDC over 60 s and 600 s, and lag-1 autocorrelation
/// of minute counts, within the fit table's tolerances.
@Suite(.serialized, .statistics, .timeLimit(.minutes(10))) struct FitBeyondSpanTests {
    static let hours = 6

    /// The requests sent in [start, start + length), from 0.
    static func window(_ sample: RequestSample, from start: Double, length: Double) -> RequestSample {
        var out = RequestSample()
        out.span = length
        for index in 0..<sample.count where sample.times[index] >= start && sample.times[index] < start + length {
            out.times.append(sample.times[index] - start)
            out.prompt.append(sample.prompt[index])
            out.output.append(sample.output[index])
            out.session.append(sample.session[index])
            out.turn.append(sample.turn[index])
        }
        return out
    }

    /// Per hour, the mean figures of the fitted configuration run for six hours
    /// with each of the table's seeds (the table judges the mean of its seeds too).
    static func hourlyFigures(_ path: String, _ format: TraceFormat) throws -> (FitFigures, [FitFigures], String) {
        let result = try SampleFits.fit(path, format)
        var spec = try Configuration.parse(yaml: result.yaml).workload
        let length = Double(hours) * 3600
        spec.totalDuration = length
        let seeds = TraceFitter.evaluationSeeds, base = spec
        let streams = Mutex([RequestSample?](repeating: nil, count: seeds.count))
        DispatchQueue.concurrentPerform(iterations: seeds.count) { index in
            var seeded = base
            seeded.seed = seeds[index]
            let stream = RequestSample.generate(seeded, span: length)
            streams.withLock { $0[index] = stream }
        }
        let all = streams.withLock { $0.map { $0! } }
        let figures = (0..<hours).map { hour in FitFigures.mean(all.map { FitFigures(window($0, from: Double(hour) * 3600, length: 3600)) }) }
        return (result.real, figures, result.yaml)
    }

    @Test(arguments: [(TraceFixtures.fullAzure, TraceFormat.azure), (TraceFixtures.fullMooncake, .mooncake)])
    func everyHourPastTheSpanMeetsTheLoadFigures(trace: (String?, TraceFormat)) throws {
        guard let path = trace.0 else { return }  // ../shared/traces is not beside the clone
        let (real, hourly, yaml) = try Self.hourlyFigures(path, trace.1)
        // The written configuration says what was chosen past the span and how the variance was split.
        #expect(yaml.contains("Past the span, a stationary load") && yaml.contains("Variance budget over 600 s blocks"))
        print(String(format: "%@: trace rate %.3f/s IDC60 %.2f IDC600 %.1f lag1 %.3f", trace.1.rawValue, real.rate, real.idc60, real.idc600, real.lag1Minute))
        for (hour, g) in hourly.enumerated() {
            print(String(format: "  hour %d: rate %.3f/s (%+.1f%%) IDC60 %.2f (%+.0f%%) IDC600 %.1f (%+.0f%%) lag1 %.3f (%+.3f)", hour + 1,
                         g.rate, 100 * (g.rate / real.rate - 1), g.idc60, 100 * (g.idc60 / real.idc60 - 1),
                         g.idc600, 100 * (g.idc600 / real.idc600 - 1), g.lag1Minute, g.lag1Minute - real.lag1Minute))
            guard hour >= 1 else { continue }
            #expect(abs(g.rate / real.rate - 1) <= 0.03, "hour \(hour + 1): rate \(g.rate) vs \(real.rate)")
            #expect(abs(g.idc60 / real.idc60 - 1) <= 0.30, "hour \(hour + 1): IDC 60 s \(g.idc60) vs \(real.idc60)")
            #expect(abs(g.idc600 / real.idc600 - 1) <= 0.30, "hour \(hour + 1): IDC 600 s \(g.idc600) vs \(real.idc600)")
            #expect(abs(g.lag1Minute - real.lag1Minute) <= 0.15, "hour \(hour + 1): lag-1 \(g.lag1Minute) vs \(real.lag1Minute)")
        }
    }
}
