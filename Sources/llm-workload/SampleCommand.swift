import ArgumentParser
import WorkloadDaemon
import WorkloadModel
import WorkloadTraces

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

    @Option(parsing: .unconditional, help: "Random seed (a non-negative integer).")
    var seed: String = "1"

    @Flag(help: .init("Print a summary (count, mean, std, min, p50, p90, p99, max) instead of the draws.",
                      discussion: "Memory stays bounded for any -n: above \(SampleSummary.exactQuantileLimit) draws the quantiles are those of every k-th draw (at most \(SampleSummary.exactQuantileLimit) of them); count, mean, std, min and max always use every draw."))
    var summary = false

    func validate() throws {
        if n < 1 { throw ValidationError("-n must be >= 1 (got \(n))") }
        _ = try SeedArgument.parse(seed)
    }

    func run() throws {
        let distribution: Distribution
        do {
            distribution = try DistributionSampler.parse(dist)
        } catch {
            throw configFailure(error)
        }
        let seed = try SeedArgument.parse(seed)
        if summary {
            if let stats = SampleSummary.summary(distribution, count: n, seed: seed) { print(stats.table) }
            return
        }
        // Written a block at a time, so that any -n runs in bounded memory.
        DistributionSampler.forEachBlock(distribution, count: n, seed: seed) { block in
            var text = ""
            text.reserveCapacity(block.count * 8)
            for value in block {
                text += DistributionSampler.format(value)
                text += "\n"
            }
            print(text, terminator: "")
        }
    }
}


