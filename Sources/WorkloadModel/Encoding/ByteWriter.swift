/// A growable byte buffer that text is appended to without going through
/// `String`: the JSON hot path formats every number itself.
///
/// The storage is kept initialised to its full length and `count` marks the
/// end of the text, so a writer can hand out room for a whole event at once
/// (``write(reserving:_:)``): one uniqueness and capacity check per event, and
/// plain stores for the bytes.
@usableFromInline package struct ByteWriter: Sendable {
    /// Initialised to its full length; bytes past `count` are scratch.
    @usableFromInline var storage: [UInt8]
    @usableFromInline var end: Int

    @inlinable
    package init(capacity: Int = 1 << 16) {
        storage = [UInt8](repeating: 0, count: Swift.max(capacity, 16))
        end = 0
    }

    /// Bytes written so far.
    @inlinable
    package var count: Int { end }

    /// A copy of the bytes written (allocates: for tests and cold paths).
    @usableFromInline package var bytes: [UInt8] { Array(storage[..<end]) }

    /// Forgets the bytes written, keeping the storage.
    @inlinable
    package mutating func removeAll() { end = 0 }

    /// Drops the last byte written (such as a line's newline).
    @inlinable
    package mutating func removeLast() {
        precondition(end > 0, "removeLast on an empty ByteWriter")
        end -= 1
    }

    /// Calls `body` with the bytes written.
    @inlinable
    package func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let end = self.end
        let result = storage.withUnsafeBytes { buffer -> Result<R, E> in
            do throws(E) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: buffer[..<end])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Appends at most `maxBytes` through a cursor; a write beyond them traps.
    @inlinable
    package mutating func write<R>(reserving maxBytes: Int, _ body: (inout ByteCursor) -> R) -> R {
        let start = end
        if storage.count - start < maxBytes { grow(toAtLeast: start + maxBytes) }
        var written = 0
        let result = storage.withUnsafeMutableBufferPointer { buffer -> R in
            let base = buffer.baseAddress!
            var cursor = ByteCursor(start: base + start, end: base + start + maxBytes)
            let result = body(&cursor)
            written = cursor.position - (base + start)
            return result
        }
        end = start + written
        return result
    }

    @usableFromInline
    mutating func grow(toAtLeast size: Int) {
        var newSize = Swift.max(storage.count, 16)
        while newSize < size { newSize *= 2 }
        storage.append(contentsOf: repeatElement(0, count: newSize - storage.count))
    }

    @inlinable
    package mutating func append(_ fragment: StaticString) {
        write(reserving: fragment.utf8CodeUnitCount) { $0.append(fragment) }
    }

    @inlinable
    package mutating func append(_ fragment: [UInt8]) {
        fragment.withUnsafeBytes { bytes in append(bytes: bytes) }
    }

    @inlinable
    package mutating func append(bytes: UnsafeRawBufferPointer) {
        write(reserving: bytes.count) { $0.append(bytes: bytes) }
    }

    @inlinable
    package mutating func append(byte: UInt8) {
        write(reserving: 1) { $0.append(byte: byte) }
    }

    @inlinable
    package mutating func append(_ value: Bool) {
        write(reserving: 5) { $0.append(value) }
    }

    /// Decimal digits of a signed integer.
    @inlinable
    package mutating func append(_ value: Int64) {
        write(reserving: 20) { $0.append(value) }
    }

    @inlinable
    package mutating func append(unsigned value: UInt64) {
        write(reserving: 20) { $0.append(unsigned: value) }
    }

    /// Exactly `width` digits, zero-padded (for dates and fractions).
    @inlinable
    package mutating func append(padded value: UInt64, width: Int) {
        write(reserving: width) { $0.append(padded: value, width: width) }
    }

    /// Virtual nanoseconds as seconds with nine decimals, exact.
    @inlinable
    package mutating func append(seconds nanoseconds: VirtualNanoseconds) {
        write(reserving: 32) { $0.append(seconds: nanoseconds) }
    }

    /// 16 lowercase hexadecimal digits.
    @inlinable
    package mutating func append(hex value: UInt64) {
        write(reserving: 16) { $0.append(hex: value) }
    }

    /// A JSON string literal, quotes included, escaped per RFC 8259.
    @usableFromInline package mutating func append(jsonString string: String) {
        write(reserving: ByteCursor.maximumJSONStringBytes(string)) { $0.append(jsonString: string) }
    }
}
