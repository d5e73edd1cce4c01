/// RFC 3339 timestamps from Unix time, without Foundation (Howard Hinnant's
/// days-to-civil algorithm), so the encoder can stamp every event cheaply.
@usableFromInline package enum CivilTime {
    /// (year, month, day) of a day count since 1970-01-01.
    @inlinable
    package static func date(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Day count since 1970-01-01 of a civil date (inverse of `date(fromDays:)`).
    @inlinable
    package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension ByteCursor {
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds, truncated; the year's lowest four digits).
    @inlinable
    package mutating func append(rfc3339 unixNanoseconds: Int64) {
        let micros = unixNanoseconds >= 0 ? unixNanoseconds / 1000 : (unixNanoseconds - 999) / 1000
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let date = CivilTime.date(fromDays: days)
        // Every field is at most two pairs of digits, written straight into one claim of 27 bytes
        // (every event carries one: a loop of padded digits per field cost more than the date).
        let at = claim(27)
        let year = UInt32(truncatingIfNeeded: UInt64(clamping: date.year) % 10_000)
        Self.writePair(year / 100, at: at)
        Self.writePair(year % 100, at: at + 2)
        at[4] = UInt8(ascii: "-")
        Self.writePair(UInt32(truncatingIfNeeded: date.month), at: at + 5)
        at[7] = UInt8(ascii: "-")
        Self.writePair(UInt32(truncatingIfNeeded: date.day), at: at + 8)
        at[10] = UInt8(ascii: "T")
        let second = UInt32(truncatingIfNeeded: secondOfDay)
        Self.writePair(second / 3600, at: at + 11)
        at[13] = UInt8(ascii: ":")
        Self.writePair(second / 60 % 60, at: at + 14)
        at[16] = UInt8(ascii: ":")
        Self.writePair(second % 60, at: at + 17)
        at[19] = UInt8(ascii: ".")
        let micro = UInt32(truncatingIfNeeded: fraction)
        Self.writePair(micro / 10_000, at: at + 20)
        Self.writePair(micro / 100 % 100, at: at + 22)
        Self.writePair(micro % 100, at: at + 24)
        at[26] = UInt8(ascii: "Z")
    }
}

extension ByteWriter {
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds, truncated).
    @inlinable
    package mutating func append(rfc3339 unixNanoseconds: Int64) {
        write(reserving: 27) { $0.append(rfc3339: unixNanoseconds) }
    }
}
