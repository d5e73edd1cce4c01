import WorkloadKafka

/// `--shard k/n`: every shard runs the identical simulation and
/// publishes only the sessions whose murmur2(session_id) mod n is k, so the
/// union of the n shards is exactly the single-instance stream.
package struct Shard: Sendable, Equatable, CustomStringConvertible {
    package var index: Int32
    package var count: Int32

    package init(index: Int32, count: Int32) {
        precondition(count >= 1 && index >= 0 && index < count)
        self.index = index
        self.count = count
    }

    /// Parses `k/n` with 0 <= k < n; `nil` for anything else.
    package init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int32(parts[0]), let n = Int32(parts[1]), n >= 1, k >= 0, k < n else { return nil }
        self.init(index: k, count: n)
    }

    package var description: String { "\(index)/\(count)" }

    /// Whether this shard publishes the session with this (hex) key.
    @inline(__always)
    package func owns(sessionKey key: UnsafeRawBufferPointer) -> Bool {
        count == 1 || Murmur2.partition(forKey: key, partitionCount: count) == index
    }
}

/// The 16 lowercase hex digits of a session ID: the Kafka key and the
/// `session_id` field.
@inline(__always)
package func withSessionKey<R>(_ id: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    var key: (UInt64, UInt64) = (0, 0)
    return try withUnsafeMutableBytes(of: &key) { buffer in
        var shift = 60
        for index in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: (id >> UInt64(shift)) & 0xF)
            buffer[index] = nibble < 10 ? nibble &+ 48 : nibble &+ 87
            shift -= 4
        }
        return try body(UnsafeRawBufferPointer(buffer))
    }
}
