import Foundation
import Glibc
import Synchronization

/// Bytes read from one of the child's pipes, and whether it reached end of file.
private final class PipeCapture: Sendable {
    private let state = Mutex<(data: Data, closed: Bool)>((Data(), false))

    init(_ pipe: Pipe, name: String) {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                state.withLock { $0.data.append(chunk) }
            }
            state.withLock { $0.closed = true }
        }
        thread.name = "capture-\(name)"
        thread.start()
    }

    var data: Data { state.withLock { $0.data } }
    var isClosed: Bool { state.withLock { $0.closed } }
}

/// A running `llm-workload` for tests that signal it: its standard output and error
/// are collected as they come, so a test can wait for a line, send a signal and read
/// everything written. The child is killed (SIGKILL) if still running when this goes.
final class DaemonProcess {
    private let process = Process()
    private let stdoutCapture: PipeCapture
    private let stderrCapture: PipeCapture

    /// Starts the binary in the repository root with `environment` added to this
    /// process's environment. Standard input is empty.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        try input.fileHandleForWriting.close()
        stdoutCapture = PipeCapture(out, name: "stdout")
        stderrCapture = PipeCapture(err, name: "stderr")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var stdout: String { String(decoding: stdoutCapture.data, as: UTF8.self) }
    var stderr: String { String(decoding: stderrCapture.data, as: UTF8.self) }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Sends `signal` (SIGTERM, SIGHUP, ...) to the child.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Polls `condition` every 10 ms for up to `timeout` seconds.
    func wait(upTo timeout: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// The first standard-error line containing `text`, waiting up to `timeout` seconds.
    func waitForStderrLine(containing text: String, timeout: Double) -> String? {
        var found: String?
        _ = wait(upTo: timeout) {
            found = stderr.split(separator: "\n").first { $0.contains(text) }.map(String.init)
            return found != nil || !process.isRunning
        }
        return found ?? stderr.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }

    /// The metrics port from "metrics at http://HOST:PORT/metrics" (started with
    /// `--metrics-listen 127.0.0.1:0`).
    func waitForMetricsPort(timeout: Double = 30) -> UInt16? {
        guard let line = waitForStderrLine(containing: "metrics at http://", timeout: timeout),
              let start = line.range(of: "metrics at http://") else { return nil }
        let address = line[start.upperBound...].prefix { $0 != "/" }
        return address.split(separator: ":").last.flatMap { UInt16($0) }
    }

    /// Waits up to `timeout` seconds for the child to exit and its output to be read;
    /// returns its exit status, or nil if it had to be killed or died of a signal.
    func waitForExit(timeout: Double) -> Int32? {
        let exited = wait(upTo: timeout) { !process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        _ = wait(upTo: 5) { stdoutCapture.isClosed && stderrCapture.isClosed }
        guard exited, process.terminationReason == .exit else { return nil }
        return process.terminationStatus
    }
}

/// Runs `body` on a thread of its own and returns its result, so that a scenario that
/// sleeps and polls a child process neither blocks Swift's cooperative pool nor waits
/// for it.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "cli-test-scenario"
        thread.start()
    }
}
