import Foundation
import Testing

/// An output that fails is reported as what it is, with EX_IOERR (74), not as a
/// Kafka error.
@Suite("run: output failures exit 74", .timeLimit(.minutes(10)))
struct SinkFailureTests {
    let arguments = ["run", "--config", "config/example.yaml", "--mode", "accelerated", "--speed", "max",
                     "--duration", "600", "--seed", "3", "--metrics-listen", ""]

    @Test("--sink file: on a full disk (/dev/full): exit 74, 'output failed', no Kafka in the message")
    func fullDisk() async throws {
        let result = try await runCLI(arguments + ["--sink", "file:/dev/full"], timeout: 60)
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("output failed"), "\(result.stderr)")
        #expect(result.stderr.contains("No space left on device"), "\(result.stderr)")
        #expect(!result.stderr.contains("Kafka error"), "\(result.stderr)")
    }

    @Test("--sink stdout into a pipe closed by its reader: exit 74, no SIGPIPE death")
    func closedPipe() throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--sink", "stdout"]
        process.currentDirectoryURL = repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try out.fileHandleForReading.close()  // the reader goes away at once
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: stderr, as: UTF8.self)
        #expect(process.terminationReason == .exit, "ended by a signal: \(process.terminationStatus)")
        #expect(process.terminationStatus == 74, "\(text)")
        #expect(text.contains("Broken pipe"), "\(text)")
    }
}
