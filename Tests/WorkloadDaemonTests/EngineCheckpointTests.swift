import Foundation
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Engine checkpoints: an engine restored from a checkpoint and
/// continued gives exactly the bytes of the uninterrupted stream.
@Suite struct EngineCheckpointTests {
    static func configuration(_ name: String, duration: Double, seed: UInt64) throws -> Configuration {
        var configuration = try Configuration.load(path: repositoryRoot.appendingPathComponent("config/\(name).yaml").path)
        configuration.override(duration: duration, seed: seed)
        return configuration
    }

    /// The events' lines, through one writer (a writer's storage is large: reuse it).
    struct Lines {
        let encoder: EventEncoder
        var writer = ByteWriter()
        init(_ encoder: EventEncoder) { self.encoder = encoder }
        mutating func callAsFunction(_ event: Event) -> [UInt8] {
            writer.removeAll()
            encoder.encode(event, into: &writer)
            return writer.bytes
        }
    }

    /// Every example, cut at many (seeded) points, each continued from bytes alone.
    @Test(arguments: [("example", 600.0), ("conversations", 600.0), ("day-long", 1200.0), ("prefixes", 600.0), ("mixed-fleet", 300.0), ("chat-closed", 600.0), ("coding-agent", 600.0)])
    func restoredEngineContinuesByteForByte(name: String, duration: Double) throws {
        let configuration = try Self.configuration(name, duration: duration, seed: 17)
        var line = Lines(StreamGenerator.encoder(for: configuration, defaultStart: 0))
        var reference = WorkloadEngine(spec: configuration.workload)
        var expected: [[UInt8]] = []
        while let event = reference.next() { expected.append(line(event)) }
        #expect(expected.count > 1_000, "\(name): \(expected.count) events")

        // Cut points: the first events (warm start's announcements), the last
        // (the closing at the horizon) and ten seeded ones in between.
        var rng = Xoshiro256(seed: 11)
        var cuts = Set([0, 1, 2, expected.count - 3, expected.count - 1, expected.count])
        while cuts.count < 16 { cuts.insert(Int(rng.nextBelow(UInt64(expected.count)))) }

        // One engine, replaced by its restored copy at every cut.
        var engine = WorkloadEngine(spec: configuration.workload)
        var produced: [[UInt8]] = []
        var index = 0
        while true {
            if cuts.contains(index) {
                let bytes = engine.checkpoint()
                let restored = try WorkloadEngine(spec: configuration.workload, restoring: bytes)
                let same = restored.checkpoint() == bytes  // compared apart: a failure would print both arrays
                #expect(same, "\(name): the restored state differs at \(index)")
                #expect(restored.nextSequenceNumber == engine.nextSequenceNumber)
                engine = restored
            }
            guard let event = engine.next() else { break }
            produced.append(line(event))
            index += 1
        }
        #expect(produced.count == expected.count, "\(name)")
        let firstDifference = produced.indices.first { $0 < expected.count && produced[$0] != expected[$0] }
        #expect(firstDifference == nil, "\(name): event \(firstDifference ?? -1) differs")
    }

    /// A checkpoint taken after a stop (sessions closing with `shutdown`) also continues exactly.
    @Test func checkpointDuringTheClosingOfAStop() throws {
        let configuration = try Self.configuration("conversations", duration: 600, seed: 3)
        var reference = WorkloadEngine(spec: configuration.workload)
        for _ in 0..<2_000 { _ = reference.next() }
        reference.stop(at: reference.virtualTime)
        var copy = reference
        for _ in 0..<5 { _ = copy.next() }
        var restored = try WorkloadEngine(spec: configuration.workload, restoring: copy.checkpoint())
        for _ in 0..<5 { _ = reference.next() }
        var count = 0
        while let event = reference.next() {
            #expect(restored.next() == event)
            count += 1
        }
        #expect(restored.next() == nil)
        #expect(count > 10)
    }

    @Test func badCheckpointsAreRejected() throws {
        let configuration = try Self.configuration("example", duration: 60, seed: 3)
        var engine = WorkloadEngine(spec: configuration.workload)
        for _ in 0..<500 { _ = engine.next() }
        let bytes = engine.checkpoint()
        #expect(throws: EngineCheckpointError.self) { try WorkloadEngine(spec: configuration.workload, restoring: Array(bytes.dropLast(9))) }
        #expect(throws: EngineCheckpointError.self) { try WorkloadEngine(spec: configuration.workload, restoring: []) }
        let other = try Self.configuration("example", duration: 60, seed: 4)
        #expect(throws: EngineCheckpointError.self) { try WorkloadEngine(spec: other.workload, restoring: bytes) }
        let mixed = try Self.configuration("mixed-fleet", duration: 60, seed: 3)
        #expect(throws: EngineCheckpointError.self) { try WorkloadEngine(spec: mixed.workload, restoring: bytes) }
    }
}
