import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
package struct ProcessResult: Sendable {
    /// The exit status, or 128 + the signal that ended it.
    package var status: Int32
    /// It was still running at its deadline and was killed (with its whole process group).
    package var timedOut: Bool
    package var stdout: Data
    package var stderrData: Data
    package var wallSeconds: Double

    package var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    package var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// One child process for tests, spawned with `posix_spawn` in a process group of its
/// own, its standard output and error going to files rather than pipes.
///
/// Files, not pipes, are why a timeout really fires: nothing here ever blocks on a
/// read, so a child (or a grandchild it left behind) that keeps its output open cannot
/// hold the test past its deadline; and the deadline kills the whole group, so
/// grandchildren go too. Output can be read while the child runs (``stdout``,
/// ``stderr``), which is what tests that wait for a line and then signal need.
///
/// Tests await its waits (``finish(timeout:)``, ``waitForExit(timeout:)``,
/// ``wait(upTo:until:)``, ``runProcess(_:_:environment:workingDirectory:stdin:timeout:)``):
/// they hold no thread while the child runs, so the cooperative pool (one thread per core)
/// keeps running other tests. The blocking variants are for scenarios on a thread of their own.
package final class TestProcess: @unchecked Sendable {
    // @unchecked Sendable: `pid` and the paths never change; `waitStatus` is guarded by `lock`.
    package let pid: pid_t
    private let stdoutPath: String
    private let stderrPath: String
    private let directory: String
    private let started = Date()
    private let lock = NSLock()
    /// The raw wait status, once reaped.
    private var waitStatus: Int32?
    /// Wakes tasks awaiting the child's exit.
    private let exitWatch: ChildExit

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments`,
    /// in `workingDirectory`, with `environment` added to this process's environment
    /// and `stdin` as its standard input (empty when nil).
    /// `discardStdout` sends standard output to /dev/null (for children that write much and are
    /// measured, not read).
    package init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                workingDirectory: String? = nil, stdin: Data? = nil, discardStdout: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("llm-workload-process-\(getpid())-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        stdoutPath = directory + "/stdout"
        stderrPath = directory + "/stderr"
        let stdinPath = directory + "/stdin"
        guard FileManager.default.createFile(atPath: stdinPath, contents: stdin ?? Data()) else {
            throw TestProcessError.cannotStart(executable, "cannot write its standard input to \(stdinPath)")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, discardStdout ? "/dev/null" : stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let workingDirectory {
            guard let addChdir = Self.addChdir else {
                throw TestProcessError.cannotStart(executable, "this C library cannot set a child's working directory")
            }
            _ = addChdir(&actions, workingDirectory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own (pgid = its pid), so a timeout can kill everything it started;
        // default signal dispositions, whatever this process ignores.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = executable.contains("/")
            ? posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            : posix_spawnp(&child, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            throw TestProcessError.cannotStart(executable, POSIXErrorCode(rawValue: spawned).map { "\($0)" } ?? "\(spawned)")
        }
        pid = child
        exitWatch = ChildExit(watching: child)
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29 and later), which Swift's Glibc
    /// module does not export.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    deinit {
        if exitStatus == nil {
            kill(-pid, SIGKILL)
            _ = waitForExit(timeout: 5)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Everything written to standard output so far.
    package var stdoutData: Data { FileManager.default.contents(atPath: stdoutPath) ?? Data() }
    package var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    package var stderrData: Data { FileManager.default.contents(atPath: stderrPath) ?? Data() }
    package var stderr: String { String(decoding: stderrData, as: UTF8.self) }

    /// The exit status (128 + signal when a signal ended it), or nil while it runs.
    package var exitStatus: Int32? {
        guard let status = reaped() else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// The signal that ended it; nil while it runs or when it exited.
    package var terminationSignal: Int32? {
        guard let status = reaped() else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? nil : signal
    }

    /// The raw wait status once it has ended (reaped on first sight), else nil.
    private func reaped() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let waitStatus { return waitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        waitStatus = status
        return status
    }

    package var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` to the child alone.
    package func send(_ signal: Int32) { kill(pid, signal) }

    /// Kills the child's whole process group.
    package func killGroup(_ signal: Int32 = SIGKILL) { kill(-pid, signal) }

    /// Polls `condition` every 10 ms for up to `timeout` seconds, sleeping between polls
    /// without holding a thread: a test awaiting this leaves the cooperative pool (two
    /// threads on a two-core machine) to other tests meanwhile.
    package func wait(upTo timeout: Double, until condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { break }
        }
        return condition()
    }

    /// The exit status once it exits within `timeout` seconds; nil when it did not
    /// (it is left running: call ``killGroup(_:)``). Waits without holding a thread.
    package func waitForExit(timeout: Double) async -> Int32? {
        if let status = exitStatus { return status }
        await exitWatch.wait(timeout: timeout)
        return exitStatus
    }

    /// Waits up to `timeout` seconds; past it, kills the process group. Then collects the output.
    /// Waits without holding a thread. The kill is made at the deadline by a timer thread, not by
    /// this task: a task resumes only when the cooperative pool has a thread free, which can be
    /// long after the deadline on a busy machine.
    package func finish(timeout: Double) async -> ProcessResult {
        let deadline = DeadlineKill()
        ChildExit.timers.asyncAfter(deadline: .now() + timeout) { [pid, exitWatch] in
            guard !exitWatch.hasEnded else { return }
            deadline.fired.store(true, ordering: .relaxed)
            kill(-pid, SIGKILL)
        }
        let status = await waitForExit(timeout: timeout + 30)
        return collect(status: status, timedOut: deadline.fired.load(ordering: .relaxed))
    }

    // The blocking variants below are for scenarios that run on a thread of their own
    // (the test targets' `onThread`), never on the cooperative pool: there a blocked
    // thread is one of the two that run every test.

    /// Polls `condition` every 10 ms for up to `timeout` seconds, blocking the calling thread.
    @available(*, noasync, message: "await the async variant: a blocked pool thread stalls other tests")
    package func wait(upTo timeout: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// The exit status once it exits within `timeout` seconds, blocking the calling thread;
    /// nil when it did not (it is left running: call ``killGroup(_:)``).
    @available(*, noasync, message: "await the async variant: a blocked pool thread stalls other tests")
    package func waitForExit(timeout: Double) -> Int32? {
        var status: Int32?
        _ = wait(upTo: timeout) {
            status = exitStatus
            return status != nil
        }
        return status
    }

    /// ``finish(timeout:)``, blocking the calling thread.
    @available(*, noasync, message: "await the async variant: a blocked pool thread stalls other tests")
    package func finish(timeout: Double) -> ProcessResult {
        var timedOut = false
        var status = waitForExit(timeout: timeout)
        if status == nil {
            timedOut = true
            killGroup()
            status = waitForExit(timeout: 30)
        }
        return collect(status: status, timedOut: timedOut)
    }

    private func collect(status: Int32?, timedOut: Bool) -> ProcessResult {
        // Anything the group left behind goes too (a grandchild holding the files is harmless, but not wanted).
        kill(-pid, SIGKILL)
        return ProcessResult(status: status ?? 128 + SIGKILL, timedOut: timedOut, stdout: stdoutData,
                             stderrData: stderrData, wallSeconds: Date().timeIntervalSince(started))
    }
}

/// Whether ``TestProcess/finish(timeout:)``'s deadline killed the child.
private final class DeadlineKill: Sendable {
    let fired = Atomic<Bool>(false)
}

package enum TestProcessError: Error, CustomStringConvertible {
    case cannotStart(String, String)

    package var description: String {
        switch self {
        case .cannotStart(let executable, let why): "cannot start \(executable): \(why)"
        }
    }
}

/// Runs `executable` to completion, killing its process group after `timeout` seconds
/// (then `timedOut` is true and the status is 128 + SIGKILL). Waits without holding a thread, for a
/// free ``ProcessSlots`` slot first.
package func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                       workingDirectory: String? = nil, stdin: Data? = nil, timeout: Double) async throws -> ProcessResult {
    try await ProcessSlots.shared.run {
        try await TestProcess(executable, arguments, environment: environment, workingDirectory: workingDirectory, stdin: stdin)
            .finish(timeout: timeout)
    }
}

/// ``runProcess(_:_:environment:workingDirectory:stdin:timeout:)``, blocking the calling thread: for
/// scenarios on a thread of their own, never from a test's own task.
@available(*, noasync, message: "await runProcess: a blocked pool thread stalls other tests")
package func runProcessBlocking(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                               workingDirectory: String? = nil, stdin: Data? = nil, timeout: Double) throws -> ProcessResult {
    try TestProcess(executable, arguments, environment: environment, workingDirectory: workingDirectory, stdin: stdin)
        .finish(timeout: timeout)
}
