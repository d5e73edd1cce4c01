import Foundation
import TestSupport
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// `input_output_correlation` of -0.5, 0 and 0.7 with
/// LogNormal input and Weibull output: the Spearman correlation of new input
/// and output over 10^5 first turns is within 0.02 of the target (its
/// standard error is about (1 − rho²)/sqrt(n) < 0.004), and both marginals
/// still pass KS at 1%.
@Suite(.statistics, .background, .tags(.statistics)) struct CorrelatedLengthsTests {
    static func firstTurns(_ rho: Double, outputKey: String) throws -> (config: Configuration, input: [Double], output: [Double]) {
        let output = outputKey == "output_tokens_dist_config"
            ? "max_output_tokens_dist_config: {type: Constant, value: 100000}\n      output_tokens_dist_config: {type: Weibull, shape: 1.5, scale: 300}"
            : "max_output_tokens_dist_config: {type: Weibull, shape: 1.5, scale: 300}"
        let config = try Configuration.parse(yaml: """
            workload:
              total_duration: 1000
              random_seed: 4
              client_profiles:
                - profile_name: p
                  inter_arrival_time_dist_config: {type: Exponential, rate: 100}
                  prompt_tokens_dist_config: {type: LogNormal, mean: 2000, std: 3000}
                  \(output)
                  conversational_probability: 0
                  streaming_response_probability: 0.5
                  input_output_correlation: \(rho)
            """)
        var engine = WorkloadEngine(spec: config.workload)
        var input: [Double] = [], outputs: [Double] = []
        while input.count < 100_000, let event = engine.next() {
            if case .request(let r) = event {
                input.append(Double(r.newInputTokens))
                outputs.append(Double(r.outputTokens))
            }
        }
        return (config, input, outputs)
    }

    @Test(arguments: [(-0.5, "max_output_tokens_dist_config"), (0, "max_output_tokens_dist_config"),
                      (0.7, "max_output_tokens_dist_config"), (0.7, "output_tokens_dist_config")])
    func spearmanHitsTheTargetAndMarginalsStay(_ rho: Double, _ outputKey: String) throws {
        let (config, input, output) = try Self.firstTurns(rho, outputKey: outputKey)
        #expect(input.count == 100_000)
        let measured = RankCorrelation.spearman(input, output)
        let profile = config.workload.profiles[0]
        let (dIn, pIn) = GoodnessOfFit.discreteKolmogorovSmirnovPValue(input, cdf: profile.promptTokens.cdf, seed: 41)
        let outputLaw = profile.outputTokens ?? profile.maxOutputTokens
        let (dOut, pOut) = GoodnessOfFit.discreteKolmogorovSmirnovPValue(output, cdf: outputLaw.cdf, seed: 42)
        print("copula rho \(rho) (\(outputKey)): Spearman \(measured); KS input D = \(dIn) p = \(pIn), output D = \(dOut) p = \(pOut)")
        #expect(abs(measured - rho) < 0.02, "Spearman \(measured) vs \(rho)")
        #expect(pIn > 0.01 && pOut > 0.01)
    }

    @Test func rankCorrelationByHand() {
        // Ranks of x: 1, 2.5, 2.5, 4; of y: 4, 3, 2, 1.
        let rho = RankCorrelation.spearman([1, 5, 5, 9], [8, 3, 2, 1])
        // Deviations from 2.5: x (-1.5, 0, 0, 1.5), y (1.5, 0.5, -0.5, -1.5):
        // Σdxdy = -4.5, Σdx² = 4.5, Σdy² = 5.
        let expected: Double = -4.5 / (4.5 * 5.0).squareRoot()
        #expect(abs(rho - expected) < 1e-15 && rho < -0.9)
    }
}
