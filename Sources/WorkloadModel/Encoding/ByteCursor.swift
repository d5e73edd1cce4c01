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
    @inlinable
    package mutating func append(unsigned value: UInt64) {
        var digits = 1
        var probe = value
        while probe >= 100 {
            probe /= 100
            digits += 2
        }
        if probe >= 10 { digits += 1 }
        Self.writeDigits(value, into: claim(digits), count: digits)
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
        append(unsigned: magnitude / 1_000_000_000)
        append(byte: UInt8(ascii: "."))
        append(padded: magnitude % 1_000_000_000, width: 9)
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
