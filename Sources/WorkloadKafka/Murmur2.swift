/// Kafka's murmur2 hash and default partitioner, bit-for-bit as in the Java
/// client (`org.apache.kafka.common.utils.Utils.murmur2` and
/// `BuiltInPartitioner.partitionForKey`), so that records keyed here land on
/// the same partition a Java producer would choose.
package enum Murmur2 {
    private static let seed: UInt32 = 0x9747_b28c
    private static let m: UInt32 = 0x5bd1_e995
    private static let r: UInt32 = 24

    /// Kafka's murmur2 of `key` (seed `0x9747b28c`), as a signed 32-bit value
    /// like Java's `int`.
    package static func hash(_ key: UnsafeRawBufferPointer) -> Int32 {
        let length = key.count
        var h = seed ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for block in 0..<blocks {
            // Little-endian 4-byte block; loadUnaligned keeps this independent of alignment.
            var k = UInt32(littleEndian: key.loadUnaligned(fromByteOffset: block * 4, as: UInt32.self))
            k &*= m
            k ^= k >> r
            k &*= m
            h &*= m
            h ^= k
        }
        let tail = blocks * 4
        // Java's switch falls through: 3 -> 2 -> 1.
        switch length & 3 {
        case 3:
            h ^= UInt32(key[tail + 2]) << 16
            h ^= UInt32(key[tail + 1]) << 8
            h ^= UInt32(key[tail])
            h &*= m
        case 2:
            h ^= UInt32(key[tail + 1]) << 8
            h ^= UInt32(key[tail])
            h &*= m
        case 1:
            h ^= UInt32(key[tail])
            h &*= m
        default:
            break
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Kafka's murmur2 of any byte collection (a `String`'s `utf8` view, `[UInt8]`, ...).
    package static func hash<Bytes: Collection<UInt8>>(_ key: Bytes) -> Int32 {
        if let result = key.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(key).withUnsafeBytes { hash($0) }
    }

    /// The Java default partitioner's choice for a non-null key:
    /// `toPositive(murmur2(key)) % partitionCount`, where `toPositive(x) = x & 0x7fffffff`
    /// (not `abs`, which would differ for negative hashes).
    package static func partition(forKey key: UnsafeRawBufferPointer, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "partitionCount must be positive")
        return (hash(key) & 0x7fff_ffff) % partitionCount
    }

    /// The Java default partitioner's choice for a non-null key; see the `UnsafeRawBufferPointer` overload.
    package static func partition<Bytes: Collection<UInt8>>(forKey key: Bytes, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "partitionCount must be positive")
        return (hash(key) & 0x7fff_ffff) % partitionCount
    }
}
