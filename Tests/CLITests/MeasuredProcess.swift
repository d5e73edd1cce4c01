import Foundation
import Glibc
import TestSupport

/// How a child process of the binary ended, with its peak memory.
struct MeasuredExit {
    /// The exit status, or 128 + the signal that killed it.
    var status: Int32
    var timedOut: Bool
    var peakRSSKiB: Int
    var wallSeconds: Double
    var stderr: String
}

/// Runs the binary with `arguments` (standard output discarded), killing it (its process group)
/// after `timeout` seconds. The peak resident set size is the child's own `VmHWM`, sampled from
/// /proc every 10 ms while it runs and just before a kill: wait4's `ru_maxrss` cannot be used, as
/// posix_spawn's child shares the test process's memory until exec, and Linux carries that high-water
/// mark (the whole test process's, hundreds of MiB) into the child's. A child that lives under 10 ms
/// reports 0. Sleeps between samples without holding a thread, once a ``ProcessSlots`` slot is free.
func runMeasured(_ arguments: [String], binary path: String = binary.path, timeout: Double) async throws -> MeasuredExit {
    try await ProcessSlots.shared.run { try await measure(arguments, binary: path, timeout: timeout) }
}

private func measure(_ arguments: [String], binary path: String, timeout: Double) async throws -> MeasuredExit {
    let started = Date()
    let child = try TestProcess(path, arguments, discardStdout: true)
    var timedOut = false
    var peak = 0
    var polls = 0
    while child.exitStatus == nil {
        polls += 1
        if polls % 5 == 0 { peak = max(peak, highWaterMarkKiB(child.pid)) }
        if Date().timeIntervalSince(started) > timeout && !timedOut {
            timedOut = true
            peak = max(peak, highWaterMarkKiB(child.pid))
            child.killGroup()
        }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return MeasuredExit(status: child.exitStatus ?? -1, timedOut: timedOut, peakRSSKiB: peak,
                        wallSeconds: Date().timeIntervalSince(started), stderr: child.stderr)
}

/// The `VmHWM` line of /proc/PID/status in KiB (0 once the process is gone).
private func highWaterMarkKiB(_ pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
}
