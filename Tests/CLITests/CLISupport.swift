import Foundation
import TestSupport

/// The repository root (three levels above this file).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `llm-workload` binary built next to the test bundle.
let binary: URL = {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for directory in [bundleDirectory, bundleDirectory.deletingLastPathComponent(), repositoryRoot.appendingPathComponent(".build/debug")] {
        let candidate = directory.appendingPathComponent("llm-workload")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return repositoryRoot.appendingPathComponent(".build/debug/llm-workload")
}()

struct CommandResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    /// Killed (with its process group) at the deadline.
    var timedOut = false
    var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs the binary in the repository root to completion, killing it (and anything it
/// started) after `timeout` seconds: then `timedOut` is set and the status is 137.
/// Waits without holding a thread, so other tests run meanwhile.
func runCLI(_ arguments: [String], stdin: Data? = nil, timeout: Double = 120) async throws -> CommandResult {
    let result = try await runProcess(binary.path, arguments, workingDirectory: repositoryRoot.path, stdin: stdin, timeout: timeout)
    return CommandResult(status: result.status, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut)
}

/// ``runCLI(_:stdin:timeout:)``, blocking the calling thread: for scenarios on a thread of their own (`onThread`).
@available(*, noasync, message: "await runCLI: a blocked pool thread stalls other tests")
func runCLIBlocking(_ arguments: [String], stdin: Data? = nil, timeout: Double = 120) throws -> CommandResult {
    let result = try runProcessBlocking(binary.path, arguments, workingDirectory: repositoryRoot.path, stdin: stdin, timeout: timeout)
    return CommandResult(status: result.status, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut)
}

func temporaryFile(_ name: String, contents: String? = nil) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llm-workload-tests-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    if let contents { try contents.write(to: url, atomically: true, encoding: .utf8) }
    return url
}
