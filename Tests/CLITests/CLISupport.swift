import Foundation

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
    var output: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs the binary to completion (bounded by `timeout` seconds).
func runCLI(_ arguments: [String], stdin: Data? = nil, timeout: Double = 120) throws -> CommandResult {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    // Drain both pipes concurrently so a large output cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    errReader.start()
    let deadline = Date().addingTimeInterval(timeout)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    while errReader.isExecuting || !errReader.isFinished { usleep(1000) }
    return CommandResult(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

func temporaryFile(_ name: String, contents: String? = nil) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llm-workload-tests-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    if let contents { try contents.write(to: url, atomically: true, encoding: .utf8) }
    return url
}
