import WorkloadModel

/// Strict byte-level parsers for trace fields: no allocation, exact integer
/// arithmetic (a timestamp with 100 ns digits stays exact to the nanosecond).
enum FieldParsing {
    static func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    /// A non-negative or negative decimal integer, the whole field.
    static func integer(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < field.count, field[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < field.count else { return nil }
        var value: Int64 = 0
        while i < field.count {
            let b = field[i]
            guard isDigit(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(b &- UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = s
            i += 1
        }
        return negative ? -value : value
    }

    /// A JSON number (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, the
    /// whole field) as the nearest double, as a JSON parser reads it; `nil`
    /// when the field is not one. Up to 15 digits without an exponent take the
    /// exact path (an integer of at most 15 digits over a power of ten, both
    /// exact, divided once: correctly rounded); others go through `Double(String)`.
    static func jsonNumber(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let negative = i < field.count && field[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let intStart = i
        while i < field.count, isDigit(field[i]) { i += 1 }
        let intDigits = i - intStart
        guard intDigits > 0, intDigits == 1 || field[intStart] != UInt8(ascii: "0") else { return nil }
        var fractionDigits = 0
        if i < field.count, field[i] == UInt8(ascii: ".") {
            i += 1
            while i < field.count, isDigit(field[i]) { i += 1; fractionDigits += 1 }
            guard fractionDigits > 0 else { return nil }
        }
        if i < field.count {
            guard field[i] == UInt8(ascii: "e") || field[i] == UInt8(ascii: "E") else { return nil }
            i += 1
            if i < field.count, field[i] == UInt8(ascii: "+") || field[i] == UInt8(ascii: "-") { i += 1 }
            let expStart = i
            while i < field.count, isDigit(field[i]) { i += 1 }
            guard i > expStart, i == field.count else { return nil }
            return Double(String(decoding: field, as: UTF8.self))
        }
        guard intDigits + fractionDigits <= 15 else { return Double(String(decoding: field, as: UTF8.self)) }
        var mantissa: Int64 = 0
        for b in field[intStart...] where b != UInt8(ascii: ".") { mantissa = mantissa * 10 + Int64(b &- UInt8(ascii: "0")) }
        let value = fractionDigits == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    /// 10^0 ... 10^22, each exact in a double.
    static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { value, _ in value * 10 } }

    /// A decimal number `[-]digits[.digits]` scaled by 10^`scale` and rounded
    /// half away from zero to an integer, exactly; an exponent form falls back
    /// to floating point. For seconds -> ns use scale 9, for ms -> ns scale 6.
    static func scaledDecimal(_ field: UnsafeBufferPointer<UInt8>, scale: Int) -> Int64? {
        var i = 0
        var negative = false
        if i < field.count, field[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var value: Int64 = 0
        var digits = 0
        var fraction = -1  // digits after the point, -1 before it
        var roundUp = false
        while i < field.count {
            let b = field[i]
            if isDigit(b) {
                digits += 1
                if fraction < scale {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(Int64(b &- UInt8(ascii: "0")))
                    guard !o1, !o2 else { return nil }
                    value = s
                    if fraction >= 0 { fraction += 1 }
                } else if fraction == scale {
                    roundUp = b >= UInt8(ascii: "5")
                    fraction += 1
                }
            } else if b == UInt8(ascii: "."), fraction < 0 {
                fraction = 0
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                return exponentForm(field, scale: scale)
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        var have = Swift.max(fraction, 0)
        if have > scale { have = scale }
        while have < scale {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            value = m
            have += 1
        }
        if roundUp { value += 1 }
        return negative ? -value : value
    }

    static func exponentForm(_ field: UnsafeBufferPointer<UInt8>, scale: Int) -> Int64? {
        guard let text = String(bytes: field, encoding: .utf8), let number = Double(text), number.isFinite else { return nil }
        var power = 1.0
        for _ in 0..<scale { power *= 10 }
        let scaled = (number * power).rounded()
        guard abs(scaled) < 9.2e18 else { return nil }
        return Int64(scaled)
    }

    /// `YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]` as Unix nanoseconds
    /// (the Azure 2023 and 2024 layouts). Fractions beyond 9 digits are an error.
    static func dateTime(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= f.count else { return nil }
            var v: Int64 = 0
            for k in from..<(from + count) {
                guard isDigit(f[k]) else { return nil }
                v = v * 10 + Int64(f[k] &- 48)
            }
            return v
        }
        guard f.count >= 19, f[4] == UInt8(ascii: "-"), f[7] == UInt8(ascii: "-"),
              f[10] == UInt8(ascii: " ") || f[10] == UInt8(ascii: "T"),
              f[13] == UInt8(ascii: ":"), f[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < f.count, f[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < f.count, isDigit(f[i]) {
                guard digits < 9 else { return nil }
                nanos = nanos * 10 + Int64(f[i] &- 48)
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if i < f.count {
            if f[i] == UInt8(ascii: "Z"), i + 1 == f.count {
                i += 1
            } else if f[i] == UInt8(ascii: "+") || f[i] == UInt8(ascii: "-"), i + 6 == f.count, f[i + 3] == UInt8(ascii: ":"),
                      let h = number(i + 1, 2), let m = number(i + 4, 2) {
                offsetSeconds = (h * 3600 + m * 60) * (f[i] == UInt8(ascii: "+") ? 1 : -1)
                i += 6
            } else {
                return nil
            }
        }
        let days = CivilTime.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000_000 + nanos
    }
}
