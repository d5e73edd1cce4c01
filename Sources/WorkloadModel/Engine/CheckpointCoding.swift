/// A compact little-endian binary codec for checkpoints (no I/O: the caller
/// stores the bytes): the engine's, and the daemon's `RunCheckpoint` around it.
package struct CheckpointWriter {
    package var bytes: [UInt8] = []

    package init() {}

    /// Empties the buffer but keeps its memory, for the next checkpoint.
    package mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    package mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Raw bytes, as they are.
    package mutating func append<C: Collection>(contentsOf raw: C) where C.Element == UInt8 { bytes.append(contentsOf: raw) }

    /// Overwrites the eight bytes at `offset` with `value` (a length known only at the end).
    package mutating func set(_ value: UInt64, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { word in
            for index in 0..<8 { bytes[offset + index] = word[index] }
        }
    }

    package mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func i32(_ value: Int32) {
        withUnsafeBytes(of: UInt32(bitPattern: value).littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ value: Int) { i64(Int64(value)) }

    mutating func double(_ value: Double) { u64(value.bitPattern) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func array<C: Collection>(_ elements: C, _ body: (inout CheckpointWriter, C.Element) -> Void) {
        int(elements.count)
        for element in elements { body(&self, element) }
    }

    mutating func optional<T>(_ value: T?, _ body: (inout CheckpointWriter, T) -> Void) {
        bool(value != nil)
        if let value { body(&self, value) }
    }
}

/// Why checkpoint bytes could not be restored.
package struct EngineCheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}

package struct CheckpointReader {
    let bytes: [UInt8]
    /// Where the next read begins.
    package var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// A reader of `bytes` from `offset`.
    package init(_ bytes: [UInt8], from offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    var atEnd: Bool { offset == bytes.count }

    /// Bytes not read yet.
    package var remaining: Int { bytes.count - offset }

    /// The bytes not read yet.
    package var rest: ArraySlice<UInt8> { bytes[offset...] }

    package mutating func take(_ count: Int) throws(EngineCheckpointError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - offset >= count else {
            throw EngineCheckpointError("checkpoint truncated at byte \(offset)")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    package mutating func u64() throws(EngineCheckpointError) -> UInt64 {
        var value: UInt64 = 0
        for (shift, byte) in try take(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return value
    }

    mutating func i64() throws(EngineCheckpointError) -> Int64 { Int64(bitPattern: try u64()) }

    package mutating func u32() throws(EngineCheckpointError) -> UInt32 {
        var value: UInt32 = 0
        for (shift, byte) in try take(4).enumerated() { value |= UInt32(byte) << (8 * UInt32(shift)) }
        return value
    }

    mutating func i32() throws(EngineCheckpointError) -> Int32 { Int32(bitPattern: try u32()) }

    mutating func int() throws(EngineCheckpointError) -> Int { Int(try i64()) }

    mutating func double() throws(EngineCheckpointError) -> Double { Double(bitPattern: try u64()) }

    mutating func byte() throws(EngineCheckpointError) -> UInt8 { try take(1).first! }

    mutating func bool() throws(EngineCheckpointError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw EngineCheckpointError("checkpoint corrupt at byte \(offset - 1)")
        }
    }

    /// A count of elements, each at least `minimumBytes` long (bounds a corrupt count).
    mutating func count(minimumBytes: Int = 1) throws(EngineCheckpointError) -> Int {
        let count = try int()
        guard count >= 0, count <= (bytes.count - offset) / max(1, minimumBytes) else {
            throw EngineCheckpointError("checkpoint corrupt: count \(count) at byte \(offset - 8)")
        }
        return count
    }

    mutating func array<T>(_ body: (inout CheckpointReader) throws(EngineCheckpointError) -> T) throws(EngineCheckpointError) -> ContiguousArray<T> {
        let count = try count()
        var result = ContiguousArray<T>()
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try body(&self)) }
        return result
    }

    mutating func optional<T>(_ body: (inout CheckpointReader) throws(EngineCheckpointError) -> T) throws(EngineCheckpointError) -> T? {
        try bool() ? try body(&self) : nil
    }

    mutating func expect(_ value: Int, _ what: String) throws(EngineCheckpointError) {
        let found = try int()
        guard found == value else {
            throw EngineCheckpointError("checkpoint is of another configuration: \(found) \(what), this one has \(value)")
        }
    }
}
