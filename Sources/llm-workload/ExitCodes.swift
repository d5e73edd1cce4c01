import ArgumentParser
import WorkloadDaemon

#if canImport(Glibc)
import Glibc
#endif
import WorkloadConfig

/// sysexits(3) codes the daemon promises (see the Exit statuses article).
enum ExitStatus {
    /// EX_USAGE: bad command line.
    static let usage = ExitCode(64)
    /// EX_DATAERR: unreadable input data.
    static let dataError = ExitCode(65)
    /// EX_IOERR: an output could not be written.
    static let ioError = ExitCode(74)
    /// EX_CONFIG: so systemd does not restart-loop on a bad config.
    static let config = ExitCode(78)
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
    return ExitStatus.config
}
