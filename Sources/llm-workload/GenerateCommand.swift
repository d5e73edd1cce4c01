import ArgumentParser
import Logging
import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write the event stream as JSON Lines at full speed.",
        discussion: """
            The stream depends only on the configuration and seed: the same inputs give \
            byte-identical output on every run and for any --out target. `time` is anchored \
            at clock.start, or at the Unix epoch when that is `now`.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(name: .shortAndLong, help: "Output file, or - for standard output.")
    var out: String = "-"

    @Option(help: "Output format: jsonl (our events), mooncake (needs hash_ids), agentic-mooncake (Dynamo's agentic rows with each request's dependencies; needs hash_ids), azure or burstgpt (requests only).")
    var format: TraceFormat = .jsonl

    func run() throws {
        let configuration = try options.load()
        if configuration.replay == nil {
            do {
                _ = try Preflight.check(configuration)
            } catch {
                throw configFailure(error)
            }
        }
        if configuration.workload.totalDuration == nil && configuration.workload.totalRequests == nil && out != "-"
            && (configuration.replay?.loop ?? true) {
            printError("note: no total_duration or request cap: generating until interrupted")
        }
        if configuration.seedWasChosen {
            printError("note: no random_seed given; using \(configuration.workload.seed)")
        }
        let output: FileOutput
        do {
            output = try FileOutput(path: out)
        } catch {
            printError("cannot open --out \(error)")
            throw ExitStatus.ioError.exit
        }
        // SIGINT/SIGTERM end the stream cleanly: open sessions close with
        // reason shutdown and everything generated is written.
        let stop = StopSignal.installHandlers(logger: Logger(label: "llm-workload.generate"))
        defer { stop.cancelHandlers() }
        if configuration.replay != nil || format != .jsonl {
            try export(configuration, to: output, shouldStop: { stop.isSet })
            return
        }
        let summary: GenerationSummary
        do {
            summary = try StreamGenerator.write(configuration, to: output, shouldStop: { stop.isSet })
        } catch {
            printError("write failed: \(error)")
            throw ExitStatus.ioError.exit
        }
        if let bound = summary.bound {
            printError(bound.isMemoryCeiling ? "error: \(bound.message)" : "note: \(bound.message)")
            if bound.isMemoryCeiling { throw ExitStatus.config.exit }
        }
    }
}
