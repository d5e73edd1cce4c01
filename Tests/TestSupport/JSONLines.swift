import Foundation

/// A JSON Lines stream split into its lines here, in a target compiled with `-O`: the tests
/// read hours of stream, and in a debug test target `split(separator: "\n")` walks the text
/// Character by Character through the unspecialised standard library (seconds per hour).
package enum JSONLines {
    /// The non-empty lines of `text`, without their newlines.
    package static func lines(_ text: String) -> [Substring] {
        text.utf8.split(separator: UInt8(ascii: "\n")).map { Substring($0) }
    }

    /// The non-empty lines of `data`, without their newlines.
    package static func lines(_ data: Data) -> [Data] {
        data.split(separator: UInt8(ascii: "\n"))
    }
}
