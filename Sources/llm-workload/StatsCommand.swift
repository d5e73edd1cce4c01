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
        guard try Self.forEachLine(of: handle.fileDescriptor, add) else {
            printError("cannot read \(name): \(String(cString: strerror(errno)))")
            throw ExitStatus.dataError.exit
        }
        print(stats.report())
    }

    /// Calls `body` with each line of the file (without its newline), read in
    /// blocks of 4 MB straight into one buffer; false when reading fails.
    static func forEachLine(of file: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 22)
        var filled = 0
        while true {
            // A line longer than the buffer doubles it.
            if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            let count = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return false }
            if count == 0 { break }
            filled += count
            let consumed = try buffer.withUnsafeBufferPointer { bytes in
                var start = 0
                while let newline = memchr(bytes.baseAddress! + start, 0x0A, filled - start) {
                    let end = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                    try body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    start = end + 1
                }
                return start
            }
            buffer.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + consumed, filled - consumed) }
            filled -= consumed
        }
        if filled > 0 { try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[..<filled])) } }
        return true
    }
}
