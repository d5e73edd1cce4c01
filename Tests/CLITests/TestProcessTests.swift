import Foundation
import Glibc
import Testing
import TestSupport

/// The tests' one process helper: its timeout fires even while the child, and a grandchild
/// it left behind, keep standard output open (the way a pipe-reading helper hangs).
@Suite("TestProcess: a timeout that fires", .timeLimit(.minutes(10)))
struct TestProcessTests {
    @Test("a child holding its output open with a grandchild: killed at 1 s, group and all")
    func timeoutKillsTheGroup() async throws {
        let result = try await runProcess("/bin/sh", ["-c", "sleep 60 & echo grandchild $!; sleep 60"], timeout: 1)
        #expect(result.timedOut)
        #expect(result.status == 128 + SIGKILL)
        #expect(result.wallSeconds < 10, "returned after \(result.wallSeconds) s")
        let grandchild = try #require(result.output.split(separator: " ").last.flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        try await Task.sleep(for: .milliseconds(100))
        // Dead: gone, or a zombie waiting for whoever reaps orphans here (state Z in /proc).
        let stat = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init)
        #expect(stat.isEmpty || state == "Z", "the grandchild \(grandchild) outlived the timeout: \(stat)")
    }

    @Test("exit status, signal, standard input, output and working directory")
    func collectsWhatTheChildDid() async throws {
        let echo = try await runProcess("/bin/sh", ["-c", "cat; pwd; echo oops >&2; exit 3"], workingDirectory: "/tmp",
                                  stdin: Data("in\n".utf8), timeout: 10)
        #expect(!echo.timedOut && echo.status == 3)
        #expect(echo.output == "in\n/tmp\n" && echo.stderr == "oops\n")
        let killed = try await runProcess("/bin/sh", ["-c", "kill -TERM $$"], timeout: 10)
        #expect(killed.status == 128 + SIGTERM && !killed.timedOut)
        await #expect(throws: TestProcessError.self) { try await runProcess("/nonexistent/binary", [], timeout: 1) }
    }
}
