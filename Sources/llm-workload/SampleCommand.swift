import ArgumentParser
import WorkloadDaemon
import WorkloadModel

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw from one distribution spec.",
        discussion: "Example: llm-workload sample --dist '{type: LogNormal, mean: 128, sigma: 64, is_int: true}' -n 5"
    )

    @Option(help: "Distribution spec as YAML or JSON.")
    var dist: String

    @Option(name: .short, help: "Number of draws.")
    var n: Int = 10

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Flag(help: "Print a summary (count, mean, std, min, p50, p90, p99, max) instead of the draws.")
    var summary = false

    func validate() throws {
        if n < 1 { throw ValidationError("-n must be >= 1 (got \(n))") }
    }

    func run() throws {
        let distribution: Distribution
        do {
            distribution = try DistributionSampler.parse(dist)
        } catch {
            throw configFailure(error)
        }
        let draws = DistributionSampler.draws(distribution, count: n, seed: seed)
        if summary, let stats = SampleSummary(draws) {
            print(stats.table)
            return
        }
        var text = ""
        text.reserveCapacity(n * 8)
        for value in draws {
            text += DistributionSampler.format(value)
            text += "\n"
        }
        print(text, terminator: "")
    }
}


