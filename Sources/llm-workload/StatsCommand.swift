import ArgumentParser
import Foundation
import WorkloadDaemon
import WorkloadTraces

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Summarise a JSON Lines event stream (a file, or - for standard input); a line that is not an event exits 65 naming it."
    )

    @Argument(help: "JSON Lines file, or - for standard input.")
    var file: String

    @Option(name: .customLong("kv-cache-blocks"), help: "With hash_ids: the hit ratio of an LRU cache of N blocks fed the stream in order.")
    var kvCacheBlocks: Int?

    @Option(name: .customLong("assume-ttft"), help: "Without completion events: seconds from a request's arrival to its first token, for the share of later turns sent before the previous response completes (with --assume-tpot).")
    var assumeTTFT: Double?

    @Option(name: .customLong("assume-tpot"), help: "Without completion events: seconds per output token (with --assume-ttft).")
    var assumeTPOT: Double?

    func validate() throws {
        if let n = kvCacheBlocks, n < 1 { throw ValidationError("--kv-cache-blocks must be at least 1 (got \(n))") }
        for (name, value) in [("--assume-ttft", assumeTTFT), ("--assume-tpot", assumeTPOT)] {
            if let value, !(value >= 0 && value <= 86_400) { throw ValidationError("\(name) must be seconds between 0 and 86400 (got \(value))") }
        }
        if (assumeTTFT == nil) != (assumeTPOT == nil) {
            throw ValidationError("--assume-ttft and --assume-tpot go together (got only \(assumeTTFT == nil ? "--assume-tpot" : "--assume-ttft"))")
        }
    }

    func run() throws {
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else if let opened = FileHandle(forReadingAtPath: file) {
            handle = opened
        } else {
            printError("cannot read \(file)")
            throw ExitStatus.dataError.exit
        }
        var stats = StreamStatistics()
        stats.kvBlocks = KVBlockStatistics(cacheBlocks: kvCacheBlocks)
        if let ttft = assumeTTFT, let tpot = assumeTPOT { stats.responses.assumed = (ttft, tpot) }
        let name = file == "-" ? "standard input" : file
        var lineNumber = 0
        // A line that is not an event means the input is not a stream: refuse it rather than summarise the rest.
        func add(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            if line.isEmpty || stats.add(line: line) { return }
            let excerpt = String(decoding: line.prefix(80), as: UTF8.self)
            printError("\(name): line \(lineNumber): not an event of the stream (a JSON object with type and time_s): \(excerpt)\(line.count > 80 ? "..." : "")")
            throw ExitStatus.dataError.exit
        }
        let lines = LineReader(descriptor: handle.fileDescriptor)
        do {
            while let line = try lines.nextLine() { try add(line) }
        } catch let error as TraceError {
            printError("cannot read \(name): \(error.message)")
            throw ExitStatus.dataError.exit
        }
        print(stats.report())
    }
}
