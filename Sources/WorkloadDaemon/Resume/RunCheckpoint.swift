import WorkloadModel

/// The state directory's `checkpoint` file: the engine's state after the
/// last event this producer published, with what the generating loop needs
/// to continue from it. Written only once every record before it is
/// acknowledged by Kafka (see `Checkpointer`).
///
/// Layout (little-endian): magic "LLMWCKP3", the body's length (u64), the
/// body, and the CRC-32C of everything before it (u32). The body: seq of the
/// last event + 1 (0: none), its virtual time, the pacing anchor, the offsets
/// (u32 topic count; per topic its u32 name length, name, u32 partition
/// count, an i64 each) and the engine's own bytes. A run with `feedback`
/// writes magic "LLMWCKP4" and, after the offsets, the completions reader's
/// state (u32 partition count; per partition its next offset (i64), producer
/// count (u32), and u32 watermark count, each a shard (i32) and a time (i64)).
/// A file that is cut short, grown, or has any byte changed is refused, never
/// read as another state.
package struct RunCheckpoint: Sendable, Equatable {
    /// The first layout (no offsets, no checksum), still read.
    static let magicWithoutOffsets: UInt64 = 0x3154_4E55_574D_4C4C  // "LLMWUNT1"
    /// The second layout (offsets, no checksum), still read.
    static let magicWithoutChecksum: UInt64 = 0x3254_4E55_574D_4C4C  // "LLMWUNT2"
    /// Four bytes apart from the older magics, so that no flipped byte turns a
    /// checksummed file into one read without its checksum.
    static let magic: UInt64 = 0x3350_4B43_574D_4C4C  // "LLMWCKP3"
    /// The layout with the completions reader's state (`feedback`); checksummed like the third.
    static let magicWithFeedback: UInt64 = 0x3450_4B43_574D_4C4C  // "LLMWCKP4"
    static let headerBytes = 16
    static let checksumBytes = 4
    static let maximumTopics = 64
    static let maximumTopicName = 255
    static let maximumPartitions = 1 << 20

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
    /// `feedback`: the completions reader's state when the engine copy was taken.
    var feedback: CompletionFeedState?
    /// `WorkloadEngine.checkpoint()`.
    var engine: [UInt8]

    package var bytes: [UInt8] {
        var out = CheckpointWriter()
        out.bytes.reserveCapacity(Self.headerBytes + 64 + engine.count + Self.checksumBytes)
        Self.encode(lastSeq: lastSeq, lastTime: lastTime, pacingAnchorUnixNanoseconds: pacingAnchorUnixNanoseconds,
                    offsets: offsets, feedback: feedback, into: &out) { $0.append(contentsOf: engine) }
        return out.bytes
    }

    /// Appends a checkpoint's bytes (those of `bytes`) to `out`, which should be empty, with the
    /// engine's own bytes appended by `engine`: the checkpointer encodes the engine straight into
    /// the buffer it keeps, instead of into an array of its own that is then copied.
    static func encode(lastSeq: UInt64?, lastTime: VirtualNanoseconds, pacingAnchorUnixNanoseconds: Int64, offsets: [String: [Int64]],
                       feedback: CompletionFeedState?, into out: inout CheckpointWriter, engine: (inout CheckpointWriter) -> Void) {
        out.u64(feedback == nil ? Self.magic : Self.magicWithFeedback)
        out.u64(0)  // the body's length, set below
        out.u64(lastSeq.map { $0 &+ 1 } ?? 0)
        out.u64(UInt64(bitPattern: lastTime))
        out.u64(UInt64(bitPattern: pacingAnchorUnixNanoseconds))
        let topics = offsets.keys.sorted()
        out.u32(UInt32(topics.count))
        for topic in topics {
            let name = Array(topic.utf8)
            out.u32(UInt32(name.count))
            out.append(contentsOf: name)
            let partitions = offsets[topic] ?? []
            out.u32(UInt32(partitions.count))
            for offset in partitions { out.u64(UInt64(bitPattern: offset)) }
        }
        if let feedback { Self.write(feedback, to: &out) }
        engine(&out)
        out.set(UInt64(out.bytes.count - Self.headerBytes), at: 8)
        out.u32(CRC32C.checksum(out.bytes))
    }

    package init(lastSeq: UInt64?, lastTime: VirtualNanoseconds, pacingAnchorUnixNanoseconds: Int64, offsets: [String: [Int64]] = [:],
                 feedback: CompletionFeedState? = nil, engine: [UInt8]) {
        self.feedback = feedback
        self.lastSeq = lastSeq
        self.lastTime = lastTime
        self.pacingAnchorUnixNanoseconds = pacingAnchorUnixNanoseconds
        self.offsets = offsets
        self.engine = engine
    }

    /// nil when `bytes` is not a whole, intact checkpoint (`decode` says why).
    init?(bytes: [UInt8]) {
        guard let decoded = try? Self.decode(bytes) else { return nil }
        self = decoded
    }

    /// The checkpoint in `bytes`, or why it is not one. Every read is bounds-checked and every
    /// count is capped by the bytes left, so no input, however made, traps.
    static func decode(_ bytes: [UInt8]) throws(RunCheckpointError) -> RunCheckpoint {
        var reader = CheckpointReader(bytes, from: 0)
        guard let magic = try? reader.u64() else { throw .truncated(size: bytes.count) }
        switch magic {
        case Self.magic, Self.magicWithFeedback:
            guard bytes.count >= headerBytes + checksumBytes else { throw .truncated(size: bytes.count) }
            let length = (try? reader.u64()) ?? 0
            let actual = bytes.count - headerBytes - checksumBytes
            guard length == UInt64(actual) else { throw .length(recorded: length, actual: actual) }
            let end = bytes.count - checksumBytes
            var trailer = CheckpointReader(bytes, from: end)
            let stored = (try? trailer.u32()) ?? 0
            let computed = bytes.withUnsafeBufferPointer { CRC32C.update(0, UnsafeBufferPointer(rebasing: $0[..<end])) }
            guard stored == computed else { throw .checksum(stored: stored, computed: computed) }
            return try body(CheckpointReader(Array(bytes[..<end]), from: headerBytes), withOffsets: true,
                            withFeedback: magic == Self.magicWithFeedback)
        case Self.magicWithoutChecksum:
            return try body(reader, withOffsets: true)
        case Self.magicWithoutOffsets:
            return try body(reader, withOffsets: false)
        default:
            throw .magic(magic)
        }
    }

    private static func body(_ reader: CheckpointReader, withOffsets: Bool, withFeedback: Bool = false) throws(RunCheckpointError) -> RunCheckpoint {
        var reader = reader
        guard let seq = try? reader.u64(), let time = try? reader.u64(), let anchor = try? reader.u64() else {
            throw .malformed("the header is cut short at byte \(reader.offset)")
        }
        let offsets = withOffsets ? try readOffsets(&reader) : [:]
        let feedback = withFeedback ? try readFeedback(&reader) : nil
        return RunCheckpoint(lastSeq: seq == 0 ? nil : seq - 1, lastTime: Int64(bitPattern: time),
                             pacingAnchorUnixNanoseconds: Int64(bitPattern: anchor), offsets: offsets, feedback: feedback,
                             engine: Array(reader.rest))
    }

    /// Per topic its name and an offset per partition; every count is capped by the bytes left.
    private static func readOffsets(_ reader: inout CheckpointReader) throws(RunCheckpointError) -> [String: [Int64]] {
        var offsets: [String: [Int64]] = [:]
        guard let topics = try? Int(reader.u32()) else { throw .malformed("the topic count is cut short at byte \(reader.offset)") }
        guard topics <= maximumTopics else { throw .malformed("\(topics) topics (at most \(maximumTopics))") }
        for _ in 0..<topics {
            guard let length = try? Int(reader.u32()), length <= maximumTopicName, let name = try? reader.take(length) else {
                throw .malformed("a topic name is cut short or too long at byte \(reader.offset)")
            }
            guard let topic = String(validating: name, as: UTF8.self), offsets[topic] == nil else {
                throw .malformed("a topic name is not UTF-8 or repeats at byte \(reader.offset - length)")
            }
            guard let count = try? Int(reader.u32()), count <= maximumPartitions, count <= reader.remaining / 8 else {
                throw .malformed("the partition count of \(topic) exceeds the bytes left at byte \(reader.offset)")
            }
            var partitions: [Int64] = []
            partitions.reserveCapacity(count)
            for _ in 0..<count {
                guard let offset = try? reader.u64() else { throw .malformed("an offset is cut short at byte \(reader.offset)") }
                partitions.append(Int64(bitPattern: offset))
            }
            offsets[topic] = partitions
        }
        return offsets
    }

    private static func write(_ feedback: CompletionFeedState, to out: inout CheckpointWriter) {
        out.u32(UInt32(feedback.positions.count))
        for (partition, position) in feedback.positions.enumerated() {
            out.u64(UInt64(bitPattern: position))
            out.u32(UInt32(partition < feedback.producers.count ? feedback.producers[partition] : 0))
            let watermarks = partition < feedback.watermarks.count ? feedback.watermarks[partition].sorted { $0.key < $1.key } : []
            out.u32(UInt32(watermarks.count))
            for (shard, time) in watermarks {
                out.u32(UInt32(bitPattern: shard))
                out.u64(UInt64(bitPattern: time))
            }
        }
    }

    /// The completions reader's state; every count is capped by the bytes left.
    private static func readFeedback(_ reader: inout CheckpointReader) throws(RunCheckpointError) -> CompletionFeedState {
        let cut = RunCheckpointError.malformed("the completions reader's state is cut short or malformed")
        guard let count = try? Int(reader.u32()), count <= maximumPartitions, count <= reader.remaining / 16 else { throw cut }
        var state = CompletionFeedState(positions: [], watermarks: [], producers: [])
        for _ in 0..<count {
            guard let position = try? Int64(bitPattern: reader.u64()), let producers = try? Int(reader.u32()), producers <= 1024,
                  let watermarks = try? Int(reader.u32()), watermarks <= producers, watermarks <= reader.remaining / 12 else { throw cut }
            var latest: [Int32: VirtualNanoseconds] = [:]
            for _ in 0..<watermarks {
                guard let shard = try? Int32(bitPattern: reader.u32()), shard >= 0, Int(shard) < producers,
                      let time = try? Int64(bitPattern: reader.u64()), latest.updateValue(time, forKey: shard) == nil else { throw cut }
            }
            state.positions.append(position)
            state.producers.append(producers)
            state.watermarks.append(latest)
        }
        return state
    }

    /// The header, then the engine restored for `workload`: how `run --state-dir` loads a
    /// checkpoint. The returned checkpoint's engine bytes are dropped (no longer needed).
    static func restore(_ bytes: [UInt8], workload: WorkloadSpec) throws(RunCheckpointError) -> (checkpoint: RunCheckpoint, engine: WorkloadEngine) {
        var checkpoint = try decode(bytes)
        do {
            let engine = try WorkloadEngine(spec: workload, restoring: checkpoint.engine)
            checkpoint.engine = []
            return (checkpoint, engine)
        } catch {
            throw .engine("\(error)")
        }
    }
}

/// Why a state directory's checkpoint is refused.
enum RunCheckpointError: Error, Equatable, CustomStringConvertible {
    case truncated(size: Int)
    case magic(UInt64)
    case length(recorded: UInt64, actual: Int)
    case checksum(stored: UInt32, computed: UInt32)
    case malformed(String)
    case engine(String)

    var description: String {
        func hex<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }
        switch self {
        case .truncated(let size): return "the file is cut short: \(size) bytes, not a whole checkpoint"
        case .magic(let magic): return "not a checkpoint of this build: it begins with \(hex(magic)), not the checkpoint magic"
        case .length(let recorded, let actual):
            return "the file is cut short or grown: its header records \(recorded) bytes of content, it holds \(actual)"
        case .checksum(let stored, let computed):
            return "the file is corrupt: its CRC-32C is \(hex(computed)), the checksum written with it \(hex(stored))"
        case .malformed(let what): return "the file is malformed: \(what)"
        case .engine(let what): return "the engine state does not restore: \(what)"
        }
    }
}
