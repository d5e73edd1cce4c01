import ArgumentParser
import WorkloadDaemon

#if canImport(Glibc)
import Glibc
#endif
import WorkloadConfig

extension ExitStatus {
    /// The status as ArgumentParser exits with it.
    var exit: ExitCode { ExitCode(code) }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    var line = Array(message.utf8)
    line.append(0x0A)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Prints every configuration problem and returns EX_CONFIG.
func configFailure(_ error: ConfigError) -> ExitCode {
    printError(error.description)
    return ExitStatus.config.exit
}
