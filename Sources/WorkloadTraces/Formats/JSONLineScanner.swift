/// A strict scanner for one JSON object per line, as trace rows are: it hands
/// each top-level key and the bytes of its value to a visitor, skipping
/// nested values without building them.
struct JSONLineScanner {
    let line: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ line: UnsafeBufferPointer<UInt8>) { self.line = line }

    enum Value {
        case number(UnsafeBufferPointer<UInt8>)
        case string(UnsafeBufferPointer<UInt8>)  // without quotes, escapes left as they are
        case array(start: Int)  // offset of "[", to scan with `integers` or `strings`
        case boolean(Bool)
        case null
        case other  // an object
    }

    mutating func skipSpace() {
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D { i += 1 }
    }

    func fail(_ message: String) -> RowError { RowError(offset: Swift.min(i, line.count), message: message) }

    /// Calls `visit(key, value, offset)` for each member of the object.
    mutating func members(_ visit: (UnsafeBufferPointer<UInt8>, Value, Int) throws(RowError) -> Void) throws(RowError) {
        skipSpace()
        guard i < line.count, line[i] == UInt8(ascii: "{") else { throw fail("expected a JSON object") }
        i += 1
        skipSpace()
        if i < line.count, line[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                let key = try string()
                skipSpace()
                guard i < line.count, line[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                let at = i
                let value = try self.value()
                try visit(key, value, at)
                skipSpace()
                guard i < line.count else { throw fail("unterminated object") }
                if line[i] == UInt8(ascii: ",") { i += 1; continue }
                guard line[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                i += 1
                break
            }
        }
        skipSpace()
        guard i == line.count else { throw fail("unexpected text after the object") }
    }

    mutating func string() throws(RowError) -> UnsafeBufferPointer<UInt8> {
        guard i < line.count, line[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        i += 1
        let start = i
        while true {
            i = Self.quoteOrBackslash(in: line, from: i)
            guard i < line.count, line[i] == UInt8(ascii: "\\") else { break }
            i += 2
        }
        guard i < line.count else { throw fail("unterminated string") }
        let text = UnsafeBufferPointer(rebasing: line[start..<i])
        i += 1
        return text
    }

    /// The offset of the first `"` or `\\` at or after `start` (`line.count` if none), eight bytes at a time.
    static func quoteOrBackslash(in line: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var k = start
        if let base = UnsafeRawPointer(line.baseAddress) {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while k + 8 <= line.count {
                let word = base.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\""))), backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
                // A zero byte in either marks one of the two.
                if ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes) & highs != 0 { break }
                k += 8
            }
        }
        while k < line.count, line[k] != UInt8(ascii: "\""), line[k] != UInt8(ascii: "\\") { k += 1 }
        return k
    }

    mutating func value() throws(RowError) -> Value {
        guard i < line.count else { throw fail("expected a value") }
        switch line[i] {
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "["):
            let start = i
            try skipNested()
            return .array(start: start)
        case UInt8(ascii: "{"):
            try skipNested()
            return .other
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            while i < line.count, FieldParsing.isDigit(line[i]) || line[i] == UInt8(ascii: ".") || line[i] == UInt8(ascii: "-")
                || line[i] == UInt8(ascii: "+") || line[i] == UInt8(ascii: "e") || line[i] == UInt8(ascii: "E") { i += 1 }
            return .number(UnsafeBufferPointer(rebasing: line[start..<i]))
        default:
            for (word, value) in [("true", Value.boolean(true)), ("false", .boolean(false)), ("null", .null)]
            where line.count - i >= word.utf8.count {
                if zip(word.utf8, line[i...]).allSatisfy({ $0 == $1 }) {
                    i += word.utf8.count
                    return value
                }
            }
            throw fail("expected a JSON value")
        }
    }

    mutating func skipNested() throws(RowError) {
        var depth = 0
        repeat {
            guard i < line.count else { throw fail("unterminated array or object") }
            switch line[i] {
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            case UInt8(ascii: "\""):
                _ = try string()
                continue
            default: break
            }
            i += 1
        } while depth > 0
    }

    /// The integers of a flat array starting at `start` (`[1, 2, 3]`).
    static func integers(in line: UnsafeBufferPointer<UInt8>, at start: Int) throws(RowError) -> [Int64] {
        var result: [Int64] = []
        var k = start + 1
        func space() { while k < line.count, line[k] == 0x20 || line[k] == 0x09 { k += 1 } }
        space()
        if k < line.count, line[k] == UInt8(ascii: "]") { return result }
        while true {
            space()
            let from = k
            while k < line.count, FieldParsing.isDigit(line[k]) || line[k] == UInt8(ascii: "-") { k += 1 }
            guard let value = FieldParsing.integer(UnsafeBufferPointer(rebasing: line[from..<k])) else {
                throw RowError(offset: from, message: "expected an integer in the array")
            }
            result.append(value)
            space()
            guard k < line.count else { throw RowError(offset: k, message: "unterminated array") }
            if line[k] == UInt8(ascii: ",") { k += 1; continue }
            guard line[k] == UInt8(ascii: "]") else { throw RowError(offset: k, message: "expected ',' or ']'") }
            return result
        }
    }

    /// The strings of a flat array starting at `start` (`["a", "b"]`), escapes
    /// left as they are; `nil` when a member is not a string.
    static func strings(in line: UnsafeBufferPointer<UInt8>, at start: Int) throws(RowError) -> [UnsafeBufferPointer<UInt8>]? {
        var scanner = JSONLineScanner(line)
        scanner.i = start + 1
        var result: [UnsafeBufferPointer<UInt8>] = []
        scanner.skipSpace()
        if scanner.i < line.count, line[scanner.i] == UInt8(ascii: "]") { return result }
        var allStrings = true
        while true {
            scanner.skipSpace()
            if case .string(let text) = try scanner.value() { result.append(text) } else { allStrings = false }
            scanner.skipSpace()
            guard scanner.i < line.count else { throw scanner.fail("unterminated array") }
            if line[scanner.i] == UInt8(ascii: ",") { scanner.i += 1; continue }
            guard line[scanner.i] == UInt8(ascii: "]") else { throw scanner.fail("expected ',' or ']'") }
            return allStrings ? result : nil
        }
    }
}
