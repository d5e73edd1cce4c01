import Foundation
import WorkloadDaemon

/// Runs this program again as a child (the bench's fresh-process probes) and
/// collects its output.
enum ChildProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The running executable (`/proc/self/exe`, else `argv[0]`).
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Spawns `executable arguments`, waits for it and returns its output.
    /// `spawned` receives the monotonic time just before the spawn.
    static func run(_ arguments: [String], spawned: (UInt64) -> Void = { _ in }, started: (Int32) -> Void = { _ in }) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        spawned(SystemWallClock().now())
        try process.run()
        started(process.processIdentifier)
        // Drain both pipes at once so that neither can fill and block the child.
        nonisolated(unsafe) var errData = Data()
        let done = DispatchSemaphore(value: 0)
        Thread {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
