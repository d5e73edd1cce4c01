/// Appends ASCII fragments and numbers to a byte array without going through
/// `String`: the JSON hot path formats every number itself.
public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    @inlinable
    public init(capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable
    public var count: Int { bytes.count }

    @inlinable
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    @inlinable
    public mutating func append(_ fragment: StaticString) {
        fragment.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func append(_ fragment: [UInt8]) {
        bytes.append(contentsOf: fragment)
    }

    @inlinable
    public mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    @inlinable
    public mutating func append(_ value: Bool) {
        if value { append("true") } else { append("false") }
    }

    /// Decimal digits of a signed integer.
    @inlinable
    public mutating func append(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(unsigned: value.magnitude)
        } else {
            append(unsigned: UInt64(value))
        }
    }

    @inlinable
    public mutating func append(unsigned value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes of scratch
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            while rest > 0 {
                scratch[31 - count] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(32 - count)...]))
        }
    }

    /// Exactly `width` digits, zero-padded (for dates and fractions).
    @inlinable
    public mutating func append(padded value: UInt64, width: Int) {
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor &*= 10 }
        var rest = value
        for _ in 0..<width {
            bytes.append(UInt8(truncatingIfNeeded: (rest / divisor) % 10) &+ 48)
            rest %= divisor
            divisor /= 10
            if divisor == 0 { divisor = 1 }
        }
    }

    /// Virtual nanoseconds as seconds with nine decimals, exact.
    @inlinable
    public mutating func append(seconds nanoseconds: VirtualNanoseconds) {
        if nanoseconds < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = nanoseconds.magnitude
        append(unsigned: magnitude / 1_000_000_000)
        bytes.append(UInt8(ascii: "."))
        append(padded: magnitude % 1_000_000_000, width: 9)
    }

    /// 16 lowercase hexadecimal digits.
    @inlinable
    public mutating func append(hex value: UInt64) {
        var shift = 60
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 0xF)
            bytes.append(nibble < 10 ? nibble &+ 48 : nibble &+ 87)
            shift -= 4
        }
    }

    /// A JSON string literal, quotes included, escaped per RFC 8259.
    @inlinable
    public mutating func append(jsonString string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                append("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
