/// Reads the few top-level fields the reference consumer needs straight from
/// an event's JSON text (flat objects, as `EventEncoder` writes them),
/// without building a dictionary per record. `time_s` is read exactly, as
/// integer nanoseconds, so that ties compare equal.
struct EventFields {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isWatermark: Bool { string("type") == Array("watermark".utf8) }

    /// The text after `"name":` (nil when the field is absent).
    private func start(of name: String) -> Int? {
        let needle = Array("\"\(name)\":".utf8)
        guard bytes.count >= needle.count else { return nil }
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) {
                return index + needle.count
            }
            index += 1
        }
        return nil
    }

    /// A string field's bytes (without quotes; our fields carry no escapes).
    func string(_ name: String) -> [UInt8]? {
        guard let at = start(of: name), at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
        guard let end = bytes[(at + 1)...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return Array(bytes[(at + 1)..<end])
    }

    func integer(_ name: String) -> Int64? {
        guard let at = start(of: name) else { return nil }
        var index = at
        var value: Int64 = 0
        var negative = false
        if index < bytes.count && bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let digitsStart = index
        while index < bytes.count, let digit = Self.digit(bytes[index]) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = sum
            index += 1
        }
        return index > digitsStart ? (negative ? -value : value) : nil
    }

    func flag(_ name: String) -> Bool {
        guard let at = start(of: name) else { return false }
        return bytes[at...].starts(with: Array("true".utf8))
    }

    /// A non-negative seconds field with up to nine decimals, as nanoseconds.
    func nanoseconds(_ name: String) -> Int64? {
        guard let at = start(of: name) else { return nil }
        var index = at
        var seconds: Int64 = 0
        var digits = 0
        while index < bytes.count, let digit = Self.digit(bytes[index]) {
            guard seconds < Int64.max / 10_000_000_000 else { return nil }
            seconds = seconds * 10 + digit
            index += 1
            digits += 1
        }
        guard digits > 0 else { return nil }
        var fraction: Int64 = 0
        var scale: Int64 = 1_000_000_000
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, let digit = Self.digit(bytes[index]) {
                if scale > 1 {
                    scale /= 10
                    fraction += digit * scale
                }
                index += 1
            }
        }
        return seconds * 1_000_000_000 + fraction
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= 48 && byte <= 57 ? Int64(byte - 48) : nil
    }
}
