import ArgumentParser
import WorkloadDaemon

extension GenerateCommand {
    /// `generate` on a `workload.replay` configuration. A trace that cannot be
    /// read exits 65 (EX_DATAERR); skipped rows are reported on stderr.
    func replay(_ configuration: Configuration, to output: FileOutput, shouldStop: () -> Bool) throws {
        do {
            let (_, source) = try ReplayGenerator.write(configuration, to: output, shouldStop: shouldStop)
            if source.skipped > 0, let first = source.firstSkipped {
                printError("note: skipped \(source.skipped) bad rows of \(source.replay.file) (first: \(first))")
            }
        } catch {
            printError("\(error)")
            switch error {
            case .trace: throw ExitStatus.dataError
            case .output: throw ExitStatus.ioError
            }
        }
    }
}
