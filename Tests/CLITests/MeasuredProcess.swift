import Foundation
import Glibc

/// How a child process of the binary ended, with its peak memory.
struct MeasuredExit {
    /// The exit status, or 128 + the signal that killed it.
    var status: Int32
    var timedOut: Bool
    var peakRSSKiB: Int
    var wallSeconds: Double
    var stderr: String
}

/// Runs the binary with `arguments` (standard output discarded), killing it
/// after `timeout` seconds. The peak resident set size is the child's own `VmHWM`, sampled from
/// /proc every 10 ms while it runs and just before a kill: wait4's `ru_maxrss` cannot be used, as
/// posix_spawn's child shares the test process's memory until exec, and Linux carries that high-water
/// mark (the whole test process's, hundreds of MiB) into the child's. A child that lives under 10 ms
/// reports 0.
func runMeasured(_ arguments: [String], binary path: String = binary.path, timeout: Double) throws -> MeasuredExit {
    let errFile = try temporaryFile("measured-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errFile) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, errFile.path, O_WRONLY | O_TRUNC, 0o600)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let started = Date()
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var status: Int32 = 0
    var usage = rusage()
    var timedOut = false
    var peak = 0
    var polls = 0
    while true {
        let done = wait4(pid, &status, WNOHANG, &usage)
        if done == pid { break }
        polls += 1
        if polls % 5 == 0 { peak = max(peak, highWaterMarkKiB(pid)) }
        if Date().timeIntervalSince(started) > timeout && !timedOut {
            timedOut = true
            peak = max(peak, highWaterMarkKiB(pid))
            kill(pid, SIGKILL)
        }
        usleep(2_000)
    }
    let signal = status & 0x7f
    let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
    let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
    return MeasuredExit(status: code, timedOut: timedOut, peakRSSKiB: peak,
                        wallSeconds: Date().timeIntervalSince(started), stderr: stderr)
}

/// The `VmHWM` line of /proc/PID/status in KiB (0 once the process is gone).
private func highWaterMarkKiB(_ pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
}
