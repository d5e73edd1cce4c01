/// Writes ASCII fragments and numbers straight into memory the caller owns:
/// the inner loop of the JSON encoder.
///
/// Each fragment costs one bounds check (a trap, never a write past `end`)
/// and plain stores; numbers are formatted in place, two digits at a time,
/// with constant divisors only. A cursor comes from
/// ``ByteWriter/write(reserving:_:)`` or wraps scratch memory of one's own.
@usableFromInline package struct ByteCursor {
    /// Where the next byte goes.
    @inlinable
    package var position: UnsafeMutablePointer<UInt8> { next }
    @usableFromInline var next: UnsafeMutablePointer<UInt8>
    @usableFromInline let end: UnsafeMutablePointer<UInt8>

    /// A cursor over `start..<end`.
    @inlinable
    package init(start: UnsafeMutablePointer<UInt8>, end: UnsafeMutablePointer<UInt8>) {
        precondition(start <= end, "cursor start after its end")
        next = start
        self.end = end
    }

    /// Claims the next `count` bytes and returns their start.
    @inlinable @inline(__always)
    mutating func claim(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(count <= end - next, "ByteCursor: write past the reserved space")
        let start = next
        next += count
        return start
    }

    @inlinable @inline(__always)
    package mutating func append(byte: UInt8) {
        claim(1).pointee = byte
    }

    @inlinable @inline(__always)
    package mutating func append(_ fragment: StaticString) {
        let count = fragment.utf8CodeUnitCount
        claim(count).update(from: fragment.utf8Start, count: count)
    }

    @inlinable @inline(__always)
    package mutating func append(bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        UnsafeMutableRawPointer(claim(bytes.count)).copyMemory(from: base, byteCount: bytes.count)
    }

    @inlinable
    package mutating func append(_ value: Bool) {
        if value { append("true") } else { append("false") }
    }

    /// Decimal digits of a signed integer.
    @inlinable
    package mutating func append(_ value: Int64) {
        if value < 0 {
            append(byte: UInt8(ascii: "-"))
            append(unsigned: value.magnitude)
        } else {
            append(unsigned: UInt64(value))
        }
    }

    /// Decimal digits of an unsigned integer.
    @inlinable @inline(__always)
    package mutating func append(unsigned value: UInt64) {
        // Inline for the numbers events mostly carry (below 10^8: tokens, turns, sequence
        // numbers); a call for the rest.
        guard value < 100_000_000 else { return appendLarge(value) }
        let small = UInt32(truncatingIfNeeded: value)
        _ = Self.writeSmall(small, at: claim(Self.smallDigits(small)))
    }

    @usableFromInline
    mutating func appendLarge(_ value: UInt64) {
        let start = claim(Self.decimalDigits(value))
        _ = Self.writeDecimal(value, at: start)
    }

    /// Claims up to `maxBytes` with one bounds check; `body` writes from the
    /// start of that room and returns where it stopped. For runs of numbers
    /// (a request's `hash_ids`) written with the unchecked writers below.
    @inlinable @inline(__always)
    package mutating func write(upTo maxBytes: Int, _ body: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>) {
        precondition(maxBytes >= 0 && maxBytes <= end - next, "ByteCursor: write past the reserved space")
        let stop = body(next)
        precondition(stop >= next && stop <= next + maxBytes, "ByteCursor: wrote past the room it claimed")
        next = stop
    }

    /// How many decimal digits `value` has.
    @inlinable @inline(__always)
    static func decimalDigits(_ value: UInt64) -> Int {
        if value < 100_000_000 { return smallDigits(UInt32(truncatingIfNeeded: value)) }
        if value < 10_000_000_000_000_000 { return 8 + smallDigits(UInt32(truncatingIfNeeded: value / 100_000_000)) }
        return 16 + smallDigits(UInt32(truncatingIfNeeded: value / 10_000_000_000_000_000))
    }

    /// Digits of a value below 10^8.
    @inlinable @inline(__always)
    static func smallDigits(_ value: UInt32) -> Int {
        if value < 10_000 { return value < 100 ? (value < 10 ? 1 : 2) : (value < 1_000 ? 3 : 4) }
        return value < 1_000_000 ? (value < 100_000 ? 5 : 6) : (value < 10_000_000 ? 7 : 8)
    }

    /// Writes the decimal digits of `value` at `start` with no bounds check
    /// (the caller has claimed 20 bytes, or `decimalDigits(value)`) and
    /// returns the byte after them. Eight digits at a time in 32-bit
    /// arithmetic, each eight as four pairs from the table.
    @inlinable @inline(__always)
    package static func writeDecimal(_ value: UInt64, at start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        if value < 100_000_000 { return writeSmall(UInt32(truncatingIfNeeded: value), at: start) }
        if value < 10_000_000_000_000_000 {
            let high = value / 100_000_000
            let next = writeSmall(UInt32(truncatingIfNeeded: high), at: start)
            writeEight(UInt32(truncatingIfNeeded: value &- high &* 100_000_000), at: next)
            return next + 8
        }
        let top = value / 10_000_000_000_000_000
        let rest = value &- top &* 10_000_000_000_000_000
        let middle = rest / 100_000_000
        let next = writeSmall(UInt32(truncatingIfNeeded: top), at: start)
        writeEight(UInt32(truncatingIfNeeded: middle), at: next)
        writeEight(UInt32(truncatingIfNeeded: rest &- middle &* 100_000_000), at: next + 8)
        return next + 16
    }

    /// The digits of a value below 10^8, no leading zeros.
    @inlinable @inline(__always)
    static func writeSmall(_ value: UInt32, at start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let count = smallDigits(value)
        let pairs = digitPairs.utf8Start
        var rest = value
        var index = count
        while index >= 2 {
            let pair = Int(truncatingIfNeeded: rest % 100) &* 2
            rest /= 100
            index -= 2
            start[index] = pairs[pair]
            start[index + 1] = pairs[pair + 1]
        }
        if index == 1 { start[0] = UInt8(truncatingIfNeeded: rest) &+ 48 }
        return start + count
    }

    /// Exactly eight digits of a value below 10^8, zero-padded.
    @inlinable @inline(__always)
    static func writeEight(_ value: UInt32, at start: UnsafeMutablePointer<UInt8>) {
        let high = value / 10_000
        let low = value &- high &* 10_000
        writePair(high / 100, at: start)
        writePair(high % 100, at: start + 2)
        writePair(low / 100, at: start + 4)
        writePair(low % 100, at: start + 6)
    }

    /// Two digits of a value below 100.
    @inlinable @inline(__always)
    static func writePair(_ value: UInt32, at start: UnsafeMutablePointer<UInt8>) {
        let pairs = digitPairs.utf8Start
        let at = Int(truncatingIfNeeded: value) &* 2
        start[0] = pairs[at]
        start[1] = pairs[at + 1]
    }

    /// Exactly `width` digits, zero-padded (for dates and fractions): the
    /// lowest `width` digits of `value`.
    @inlinable
    package mutating func append(padded value: UInt64, width: Int) {
        Self.writeDigits(value, into: claim(width), count: width)
    }

    /// The lowest `count` decimal digits of `value` at `start..<start+count`,
    /// written from the end two at a time.
    @inlinable @inline(__always)
    static func writeDigits(_ value: UInt64, into start: UnsafeMutablePointer<UInt8>, count: Int) {
        let pairs = Self.digitPairs.utf8Start
        var rest = value
        var index = count
        while index >= 2 {
            let pair = Int(truncatingIfNeeded: rest % 100) &* 2
            rest /= 100
            index -= 2
            start[index] = pairs[pair]
            start[index + 1] = pairs[pair + 1]
        }
        if index == 1 {
            start[0] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
        }
    }

    /// "00", "01", ... "99" back to back.
    @usableFromInline static var digitPairs: StaticString { "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899" }

    /// Virtual nanoseconds as seconds with nine decimals, exact.
    @inlinable
    package mutating func append(seconds nanoseconds: Int64) {
        if nanoseconds < 0 { append(byte: UInt8(ascii: "-")) }
        let magnitude = nanoseconds.magnitude
        let whole = magnitude / 1_000_000_000
        let fraction = UInt32(truncatingIfNeeded: magnitude &- whole &* 1_000_000_000)
        // One claim for the whole number: its digits, the point, the nine decimals as a digit
        // and eight (two independent halves, where a loop of pairs is one long chain of divisions).
        let start = claim(Self.decimalDigits(whole) + 10)
        let point = Self.writeDecimal(whole, at: start)
        point[0] = UInt8(ascii: ".")
        let first = fraction / 100_000_000
        point[1] = UInt8(truncatingIfNeeded: first) &+ 48
        Self.writeEight(fraction &- first &* 100_000_000, at: point + 2)
    }

    /// 16 lowercase hexadecimal digits.
    @inlinable
    package mutating func append(hex value: UInt64) {
        let start = claim(16)
        var rest = value
        var index = 16
        while index > 0 {
            index -= 1
            let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
            start[index] = nibble < 10 ? nibble &+ 48 : nibble &+ 87
            rest >>= 4
        }
    }

    /// A JSON string literal, quotes included, escaped per RFC 8259.
    @usableFromInline package mutating func append(jsonString string: String) {
        append(byte: UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                append("\\u00")
                let hex: StaticString = "0123456789abcdef"
                append(byte: hex.utf8Start[Int(byte >> 4)])
                append(byte: hex.utf8Start[Int(byte & 0xF)])
            default: append(byte: byte)
            }
        }
        append(byte: UInt8(ascii: "\""))
    }

    /// The most bytes `append(jsonString:)` writes for `string`.
    @usableFromInline package static func maximumJSONStringBytes(_ string: String) -> Int {
        2 + 6 * string.utf8.count
    }
}
