import CRdKafka
import Testing
import WorkloadKafka

@Suite("Murmur2")
struct Murmur2Tests {
    /// Kafka's own vectors (clients/src/test/.../UtilsTest.testMurmur2). During
    /// development each was also recomputed with an independent line-by-line
    /// Python port of the Java `Utils.murmur2`, which agreed on all of them.
    static let javaVectors: [(String, Int32)] = [
        ("21", -973_932_308),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ]

    @Test("matches the Java client's test vectors", arguments: javaVectors)
    func javaVector(key: String, expected: Int32) {
        #expect(Murmur2.hash(Array(key.utf8)) == expected)
        #expect(Murmur2.hash(key.utf8) == expected)
        Array(key.utf8).withUnsafeBytes { #expect(Murmur2.hash($0) == expected) }
    }

    /// Further values from the Python port, covering every tail length (0...3),
    /// hashes of both signs and a 256-byte key.
    static let portVectors: [([UInt8], Int32)] = [
        ([], 275_646_681),
        (Array("a".utf8), -1_563_381_124),
        (Array("ab".utf8), 316_155_434),
        (Array("key".utf8), -1_079_937_367),
        (Array("session-42".utf8), 880_271_230),
        (Array("0123456789abcdef".utf8), 1_438_427_052),
        ((0...255).map { UInt8($0) }, -1_948_347_274),
    ]

    @Test("matches the independent Python port", arguments: portVectors)
    func portVector(key: [UInt8], expected: Int32) {
        #expect(Murmur2.hash(key) == expected)
    }

    /// Partition = (hash & 0x7fffffff) % n, values from the Python port.
    @Test("partition examples")
    func partitionExamples() {
        let cases: [(String, Int32, Int32)] = [
            ("session-0", 4, 0), ("session-0", 12, 4), ("session-0", 64, 20),
            ("session-1", 64, 12), ("session-42", 3, 1), ("session-42", 4, 2),
            ("session-42", 64, 62), ("ab", 3, 2), ("key", 12, 1),
            ("user-123", 12, 8), ("0123456789abcdef", 64, 44), ("anything", 1, 0),
        ]
        for (key, count, expected) in cases {
            #expect(Murmur2.partition(forKey: key.utf8, partitionCount: count) == expected, "\(key) % \(count)")
        }
        // A negative hash maps through & 0x7fffffff, not abs(): "21" hashes to
        // -973932308; abs() would give 973932308 % 7 = 6 where Java gives 3.
        #expect(Murmur2.partition(forKey: "21".utf8, partitionCount: 7) == 3)
    }

    /// Cross-check against librdkafka's own Java-compatible partitioner
    /// (`rd_kafka_msg_partitioner_murmur2`) on deterministic pseudo-random keys.
    @Test("agrees with librdkafka's murmur2 partitioner")
    func agreesWithLibrdkafka() {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {  // SplitMix64: reproducible, unlike the system RNG
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<5_000 {
            let length = Int(next() % 40) + 1
            let key = (0..<length).map { _ in UInt8(truncatingIfNeeded: next()) }
            let count = Int32(next() % 100) + 1
            let theirs = key.withUnsafeBytes {
                rd_kafka_msg_partitioner_murmur2(nil, $0.baseAddress, $0.count, count, nil, nil)
            }
            #expect(Murmur2.partition(forKey: key, partitionCount: count) == theirs, "key \(key)")
        }
    }
}
