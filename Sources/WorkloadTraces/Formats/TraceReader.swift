import WorkloadModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkloadConfig

/// Streams the rows of a trace file, strictly: a malformed row, a timestamp
/// before the previous row's, a header that does not match the format and an
/// empty trace are `TraceError`s naming the file, line and column. With
/// `skipBadRows`, bad rows (malformed or going backwards) are passed over and
/// counted instead.
package final class TraceReader {
    package let path: String
    package let format: TraceFormat
    package let skipBadRows: Bool
    let lines: LineReader
    var parser: TraceRowParser
    var previous: Int64?
    /// Rows returned so far.
    package private(set) var rows = 0
    /// Bad rows passed over (with `skipBadRows`).
    package private(set) var skipped = 0
    /// The first bad row passed over, for the report.
    package private(set) var firstSkipped: TraceError?
    /// Count the rows per `Model` (BurstGPT) into `models`; off for replay.
    package var countsModels = false
    package private(set) var models: [String: Int] = [:]

    package init(path: String, format: TraceFormat, skipBadRows: Bool = false) throws(TraceError) {
        let lines = try LineReader(path: path)
        self.path = path
        self.format = format
        self.skipBadRows = skipBadRows
        self.lines = lines
        parser = TraceRowParser(format: format)
        if parser.hasHeader {
            guard let header = try readLine() else { throw TraceError(file: path, message: "empty trace: no header and no rows") }
            do {
                try parser.readHeader(header)
            } catch {
                throw TraceError(file: path, line: 1, column: 1, message: error.message)
            }
        }
    }

    func readLine() throws(TraceError) -> UnsafeBufferPointer<UInt8>? {
        do {
            return try lines.nextLine()
        } catch {
            throw TraceError(file: path, line: lines.lineNumber + 1, message: error.message)
        }
    }

    /// The next row, or `nil` at the end of the file. An empty trace (no row
    /// at all) is an error.
    package func next() throws(TraceError) -> TraceRow? {
        while let line = try readLine() {
            let row: TraceRow?
            do {
                row = try parser.row(line)
            } catch {
                try bad(TraceError(file: path, line: lines.lineNumber, column: error.offset + 1, message: error.message))
                continue
            }
            guard let row else { continue }
            if let previous, row.timestamp < previous {
                try bad(TraceError(file: path, line: lines.lineNumber, column: 1,
                                   message: "timestamp goes backwards (\(row.timestamp) ns < the previous row's \(previous) ns); traces must be in time order"))
                continue
            }
            previous = row.timestamp
            rows += 1
            if countsModels, let model = parser.model(line) { models[model, default: 0] += 1 }
            return row
        }
        guard rows > 0 else {
            throw TraceError(file: path, message: skipped > 0 ? "no good rows (\(skipped) bad rows skipped)" : "empty trace: no rows")
        }
        return nil
    }

    func bad(_ error: TraceError) throws(TraceError) {
        guard skipBadRows else { throw error }
        skipped += 1
        if firstSkipped == nil { firstSkipped = error }
    }
}
