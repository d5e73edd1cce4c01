import WorkloadModel

/// The state directory's `checkpoint` file: the engine's state after the
/// last event this producer published, with what the generating loop needs
/// to continue from it. Written only once every record before it is
/// acknowledged by Kafka (see `Checkpointer`).
struct RunCheckpoint: Sendable {
    static let magic: UInt64 = 0x3154_4E55_574D_4C4C  // "LLMWUNT1"

    /// The seq of the last event published (nil before the first).
    var lastSeq: UInt64?
    /// The virtual time of the last event published.
    var lastTime: VirtualNanoseconds
    /// The Unix instant at which virtual time 0 was due (the first start's pacing anchor).
    var pacingAnchorUnixNanoseconds: Int64
    /// `WorkloadEngine.checkpoint()`.
    var engine: [UInt8]

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + engine.count)
        for word in [Self.magic, lastSeq.map { $0 &+ 1 } ?? 0, UInt64(bitPattern: lastTime), UInt64(bitPattern: pacingAnchorUnixNanoseconds)] {
            withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) }
        }
        out += engine
        return out
    }

    init(lastSeq: UInt64?, lastTime: VirtualNanoseconds, pacingAnchorUnixNanoseconds: Int64, engine: [UInt8]) {
        self.lastSeq = lastSeq
        self.lastTime = lastTime
        self.pacingAnchorUnixNanoseconds = pacingAnchorUnixNanoseconds
        self.engine = engine
    }

    init?(bytes: [UInt8]) {
        guard bytes.count >= 32 else { return nil }
        func word(_ index: Int) -> UInt64 {
            (0..<8).reduce(0) { $0 | UInt64(bytes[index * 8 + $1]) << (8 * UInt64($1)) }
        }
        guard word(0) == Self.magic else { return nil }
        lastSeq = word(1) == 0 ? nil : word(1) - 1
        lastTime = Int64(bitPattern: word(2))
        pacingAnchorUnixNanoseconds = Int64(bitPattern: word(3))
        engine = Array(bytes[32...])
    }
}
