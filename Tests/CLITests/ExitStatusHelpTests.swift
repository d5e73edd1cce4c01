import Foundation
import Testing
import WorkloadDaemon

/// `--help` prints the exit-status table, row by row.
@Suite struct ExitStatusHelpTests {
    @Test(.timeLimit(.minutes(10))) func runHelpListsEveryExitStatus() async throws {
        for command in [["run", "--help"], ["--help"]] {
            let result = try await runCLI(command)
            // ArgumentParser wraps the discussion; compare with the whitespace folded.
            let help = result.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for status in ExitStatus.allCases {
                #expect(help.contains("\(status.code) \(status.meaning)"), "\(command): no row for \(status.code) in \(help)")
            }
        }
    }
}
