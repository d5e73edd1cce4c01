import Foundation
import Glibc
import TestSupport

/// A running `llm-workload` for tests that signal it: its standard output and error
/// are collected as they come (``TestProcess``), so a test can wait for a line, send a
/// signal and read everything written. The child's process group is killed (SIGKILL)
/// if still running when this goes.
final class DaemonProcess {
    private let process: TestProcess

    /// Starts the binary in the repository root with `environment` added to this
    /// process's environment. Standard input is empty.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = try TestProcess(binary.path, arguments, environment: environment, workingDirectory: repositoryRoot.path)
    }

    var stdout: String { process.stdout }
    var stderr: String { process.stderr }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.pid }

    /// Sends `signal` (SIGTERM, SIGHUP, ...) to the child.
    func send(_ signal: Int32) {
        process.send(signal)
    }

    /// Polls `condition` every 10 ms for up to `timeout` seconds (without holding a thread).
    func wait(upTo timeout: Double, until condition: () -> Bool) async -> Bool {
        await process.wait(upTo: timeout, until: condition)
    }

    /// The first standard-error line containing `text`, waiting up to `timeout` seconds.
    func waitForStderrLine(containing text: String, timeout: Double) async -> String? {
        var found: String?
        _ = await wait(upTo: timeout) {
            found = stderrLine(containing: text)
            return found != nil || !process.isRunning
        }
        return found ?? stderrLine(containing: text)
    }

    /// The metrics port from "metrics at http://HOST:PORT/metrics" (started with
    /// `--metrics-listen 127.0.0.1:0`).
    func waitForMetricsPort(timeout: Double = 30) async -> UInt16? {
        Self.metricsPort(in: await waitForStderrLine(containing: "metrics at http://", timeout: timeout))
    }

    /// Waits up to `timeout` seconds for the child to exit; returns its exit status, or
    /// nil if it had to be killed (its process group) or died of a signal.
    func waitForExit(timeout: Double) async -> Int32? {
        guard let status = await process.waitForExit(timeout: timeout) else {
            process.killGroup()
            _ = await process.waitForExit(timeout: 30)
            return nil
        }
        return process.terminationSignal == nil ? status : nil
    }

    // Blocking variants, for scenarios on a thread of their own (`onThread`).

    @available(*, noasync, message: "await the async variant: a blocked pool thread stalls other tests")
    func wait(upTo timeout: Double, until condition: () -> Bool) -> Bool {
        process.wait(upTo: timeout, until: condition)
    }

    @available(*, noasync, message: "await the async variant: a blocked pool thread stalls other tests")
    func waitForStderrLine(containing text: String, timeout: Double) -> String? {
        var found: String?
        _ = wait(upTo: timeout) {
            found = stderrLine(containing: text)
            return found != nil || !process.isRunning
        }
        return found ?? stderrLine(containing: text)
    }

    @available(*, noasync, message: "await the async variant: a blocked pool thread stalls other tests")
    func waitForMetricsPort(timeout: Double = 30) -> UInt16? {
        Self.metricsPort(in: waitForStderrLine(containing: "metrics at http://", timeout: timeout))
    }

    @available(*, noasync, message: "await the async variant: a blocked pool thread stalls other tests")
    func waitForExit(timeout: Double) -> Int32? {
        guard let status = process.waitForExit(timeout: timeout) else {
            process.killGroup()
            _ = process.waitForExit(timeout: 30)
            return nil
        }
        return process.terminationSignal == nil ? status : nil
    }

    /// Waits for the "generating" line, lets the run go on for `seconds`, sends `signal` and
    /// returns the exit status as ``waitForExit(timeout:)`` does: the stop of a resume scenario.
    @available(*, noasync, message: "for scenarios on a thread of their own (onThread)")
    func stop(with signal: Int32, secondsAfterGenerating seconds: Double) -> Int32? {
        _ = waitForStderrLine(containing: "generating", timeout: 30)
        usleep(UInt32(seconds * 1_000_000))
        send(signal)
        return waitForExit(timeout: 30)
    }

    private func stderrLine(containing text: String) -> String? {
        stderr.split(separator: "\n").first { $0.contains(text) }.map(String.init)
    }

    private static func metricsPort(in line: String?) -> UInt16? {
        guard let line, let start = line.range(of: "metrics at http://") else { return nil }
        let address = line[start.upperBound...].prefix { $0 != "/" }
        return address.split(separator: ":").last.flatMap { UInt16($0) }
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
