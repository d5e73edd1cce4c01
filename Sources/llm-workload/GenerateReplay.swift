import ArgumentParser
import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces

extension TraceFormat: ExpressibleByArgument {}

extension GenerateCommand {
    /// `generate` on a `workload.replay` configuration, or in a trace format.
    /// A trace that cannot be read exits 65 (EX_DATAERR), a stream the format
    /// cannot hold 64; skipped rows are reported on stderr.
    func export(_ configuration: Configuration, to output: FileOutput, shouldStop: () -> Bool) throws {
        do {
            if configuration.replay != nil {
                let (_, source) = try ReplayGenerator.write(configuration, format: format, to: output, shouldStop: shouldStop)
                reportSkipped(source)
            } else {
                _ = try ReplayGenerator.writeGenerated(configuration, format: format, to: output, shouldStop: shouldStop)
            }
        } catch {
            throw exitStatus(for: error)
        }
    }
}

func reportSkipped(_ source: ReplaySource) {
    if source.skipped > 0, let first = source.firstSkipped {
        printError("note: skipped \(source.skipped) bad rows of \(source.replay.file) (first: \(first))")
    }
}

/// Prints the failure and gives its exit status.
func exitStatus(for error: ReplayFailure) -> ExitCode {
    printError("\(error)")
    switch error {
    case .trace: return ExitStatus.dataError.exit
    case .output: return ExitStatus.ioError.exit
    case .export: return ExitStatus.usage.exit
    }
}
