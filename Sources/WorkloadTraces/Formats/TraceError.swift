/// A trace that cannot be read: names the file and, for a bad row, its line
/// and column (both 1-based; the column is the byte where the bad field starts).
package struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var column: Int?
    package var message: String

    package init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(message)"
    }
}

/// A row-level problem before the reader adds the file and line.
struct RowError: Error {
    /// 0-based byte offset in the line.
    var offset: Int
    var message: String
}
