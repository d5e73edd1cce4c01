import WorkloadModel

/// The state directory's `checkpoint` file: the engine's state after the
/// last event this producer published, with what the generating loop needs
/// to continue from it. Written only once every record before it is
/// acknowledged by Kafka (see `Checkpointer`).
struct RunCheckpoint: Sendable {
    /// The first layout (no offsets), still read.
    static let magicWithoutOffsets: UInt64 = 0x3154_4E55_574D_4C4C  // "LLMWUNT1"
    static let magic: UInt64 = 0x3254_4E55_574D_4C4C  // "LLMWUNT2"

    /// The seq of the last event published (nil before the first).
    var lastSeq: UInt64?
    /// The virtual time of the last event published.
    var lastTime: VirtualNanoseconds
    /// The Unix instant at which virtual time 0 was due (the first start's pacing anchor).
    var pacingAnchorUnixNanoseconds: Int64
    /// Per topic, per partition: the offset after the highest record this
    /// producer had seen acknowledged when the engine copy was taken (-1: none
    /// yet). Every record after the checkpoint lies at or above it, so a restart
    /// reads back from there.
    var offsets: [String: [Int64]] = [:]
    /// `WorkloadEngine.checkpoint()`.
    var engine: [UInt8]

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + engine.count)
        func u64(_ word: UInt64) { withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) } }
        func u32(_ word: Int) { withUnsafeBytes(of: UInt32(word).littleEndian) { out.append(contentsOf: $0) } }
        for word in [Self.magic, lastSeq.map { $0 &+ 1 } ?? 0, UInt64(bitPattern: lastTime), UInt64(bitPattern: pacingAnchorUnixNanoseconds)] {
            u64(word)
        }
        let topics = offsets.keys.sorted()
        u32(topics.count)
        for topic in topics {
            let name = Array(topic.utf8)
            u32(name.count)
            out += name
            let partitions = offsets[topic] ?? []
            u32(partitions.count)
            for offset in partitions { u64(UInt64(bitPattern: offset)) }
        }
        out += engine
        return out
    }

    init(lastSeq: UInt64?, lastTime: VirtualNanoseconds, pacingAnchorUnixNanoseconds: Int64, offsets: [String: [Int64]] = [:], engine: [UInt8]) {
        self.lastSeq = lastSeq
        self.lastTime = lastTime
        self.pacingAnchorUnixNanoseconds = pacingAnchorUnixNanoseconds
        self.offsets = offsets
        self.engine = engine
    }

    init?(bytes: [UInt8]) {
        guard bytes.count >= 32 else { return nil }
        func word(at index: Int) -> UInt64 {
            (0..<8).reduce(0) { $0 | UInt64(bytes[index + $1]) << (8 * UInt64($1)) }
        }
        let magic = word(at: 0)
        guard magic == Self.magic || magic == Self.magicWithoutOffsets else { return nil }
        lastSeq = word(at: 8) == 0 ? nil : word(at: 8) - 1
        lastTime = Int64(bitPattern: word(at: 16))
        pacingAnchorUnixNanoseconds = Int64(bitPattern: word(at: 24))
        var at = 32
        if magic == Self.magic {
            func u32() -> Int? {
                guard at + 4 <= bytes.count else { return nil }
                defer { at += 4 }
                return (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
            }
            guard let topics = u32(), topics <= 64 else { return nil }
            for _ in 0..<topics {
                guard let length = u32(), length <= 255, at + length <= bytes.count else { return nil }
                let name = String(decoding: bytes[at..<at + length], as: UTF8.self)
                at += length
                guard let count = u32(), count <= 1 << 20, at + 8 * count <= bytes.count else { return nil }
                offsets[name] = (0..<count).map { Int64(bitPattern: word(at: at + 8 * $0)) }
                at += 8 * count
            }
        }
        engine = Array(bytes[at...])
    }
}
