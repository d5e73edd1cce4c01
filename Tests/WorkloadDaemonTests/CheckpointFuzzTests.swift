import Foundation
import Testing
import TestSupport
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// A corrupt checkpoint is refused, never read as another state: seeded byte
/// flips, truncations, swapped regions and appended bytes, each loaded the
/// way `run --state-dir` loads a checkpoint (`RunCheckpoint.restore`), are
/// either refused with the typed error or give exactly the original state.
/// The process crashing would end the test run.
@Suite(.statistics, .background, .tags(.statistics)) struct CheckpointFuzzTests {
    struct Counts: CustomStringConvertible {
        var cases = 0, refused = 0, identical = 0
        var byKind: [String: Int] = [:]
        var description: String { "\(cases) cases: \(refused) refused, \(identical) identical, 0 crashed; \(byKind.sorted { $0.key < $1.key })" }
    }

    /// A checkpoint of `example` part-way through, with offsets, and what a restart would continue with.
    static func original() throws -> (configuration: Configuration, checkpoint: RunCheckpoint, bytes: [UInt8]) {
        let configuration = try EngineCheckpointTests.configuration("example", duration: 600, seed: 17)
        var engine = WorkloadEngine(spec: configuration.workload)
        var last: Event?
        for _ in 0..<3_000 { last = engine.next() }
        let checkpoint = RunCheckpoint(
            lastSeq: last?.seq, lastTime: engine.virtualTime, pacingAnchorUnixNanoseconds: 1_767_225_600_000_000_000,
            offsets: ["llm.requests": [120, -1, 37, 4_096], "llm.sessions": [9, 0, 11, 2]], engine: engine.checkpoint())
        return (configuration, checkpoint, checkpoint.bytes)
    }

    /// One seeded corruption of `bytes` (never the bytes unchanged).
    static func mutate(_ bytes: [UInt8], case index: Int, rng: inout Xoshiro256) -> (kind: String, bytes: [UInt8]) {
        var out = bytes
        func below(_ n: Int) -> Int { Int(rng.nextBelow(UInt64(max(1, n)))) }
        // Half the cases aim at the header and offsets (the first 128 bytes), where a change means most.
        func position() -> Int { rng.nextBelow(2) == 0 ? below(min(128, out.count)) : below(out.count) }
        switch index % 6 {
        case 0:
            let at = position()
            out[at] ^= UInt8(1 + below(255))
            return ("flip", out)
        case 1:
            for _ in 0..<(2 + below(6)) { out[position()] ^= UInt8(1 + below(255)) }
            return ("flips", out)
        case 2:
            return ("truncation", Array(out.prefix(below(out.count))))
        case 3:
            let length = 1 + below(32)
            let a = below(out.count - length), b = below(out.count - length)
            let first = Array(out[a..<a + length]), second = Array(out[b..<b + length])
            guard first != second, a + length <= b || b + length <= a else {
                out[a] ^= 0x80  // overlapping or equal regions: a swap would not change them
                return ("swap", out)
            }
            out.replaceSubrange(a..<a + length, with: second)
            out.replaceSubrange(b..<b + length, with: first)
            return ("swap", out)
        case 4:
            return ("append", out + (0..<(1 + below(16))).map { _ in UInt8(below(256)) })
        default:
            // Shortened by a few bytes and the same number appended: the length still matches.
            let cut = 1 + below(8)
            return ("cut-and-pad", Array(out.dropLast(cut)) + (0..<cut).map { _ in UInt8(below(256)) })
        }
    }

    @Test func corruptCheckpointsAreRefusedOrIdentical() throws {
        let (configuration, checkpoint, bytes) = try Self.original()
        let reference = try RunCheckpoint.restore(bytes, workload: configuration.workload)
        var header = checkpoint
        header.engine = []
        #expect(reference.checkpoint == header)

        var rng = Xoshiro256(seed: 2_024)
        var counts = Counts()
        for index in 0..<12_000 {
            let (kind, mutated) = Self.mutate(bytes, case: index, rng: &rng)
            counts.cases += 1
            do {
                let loaded = try RunCheckpoint.restore(mutated, workload: configuration.workload)
                // Accepted: only when it is exactly the original state.
                let same = loaded.checkpoint == header && loaded.engine.checkpoint() == checkpoint.engine
                #expect(same, "case \(index) (\(kind)) was accepted as another state")
                counts.identical += 1
            } catch {
                counts.refused += 1
                counts.byKind[kind, default: 0] += 1
            }
        }
        print("checkpoint fuzz: \(counts)")
        #expect(counts.refused + counts.identical == counts.cases)
        #expect(counts.refused == counts.cases, "every corruption here changes the bytes, so every one is refused")
    }

    /// Past the checksum (as if a corruption collided with it): the decoder alone
    /// still never traps, whatever the header and offsets hold.
    @Test func theDecoderAloneNeverTraps() throws {
        let (_, _, bytes) = try Self.original()
        let body = Array(bytes[RunCheckpoint.headerBytes..<bytes.count - RunCheckpoint.checksumBytes])
        var rng = Xoshiro256(seed: 7)
        var decoded = 0, refused = 0
        for index in 0..<5_000 {
            // Corrupt the body's first 160 bytes (header, offsets), then frame it anew with a valid length and checksum.
            var corrupt = Self.mutate(Array(body.prefix(160)), case: index, rng: &rng).bytes
            if index % 7 == 0 { corrupt = (0..<Int(rng.nextBelow(64))).map { _ in UInt8(rng.nextBelow(256)) } }
            let framed = Self.frame(corrupt + body.dropFirst(160))
            if (try? RunCheckpoint.decode(framed)) != nil { decoded += 1 } else { refused += 1 }
        }
        print("checkpoint decoder fuzz (valid checksums): \(decoded) decoded, \(refused) refused, 0 crashed")
        #expect(decoded + refused == 5_000 && refused > 0)
    }

    /// Past the checksum, the engine's own state: flipped bytes framed anew restore
    /// (a state that then generates) or are refused; none traps or hangs in the
    /// 200 events generated after it.
    @Test(.timeLimit(.minutes(10))) func theEngineStatePastTheChecksumNeverTraps() throws {
        let (configuration, checkpoint, bytes) = try Self.original()
        let body = Array(bytes[RunCheckpoint.headerBytes..<bytes.count - RunCheckpoint.checksumBytes])
        let engineStart = body.count - checkpoint.engine.count
        var rng = Xoshiro256(seed: 99)
        var restored = 0, refused = 0
        for index in 0..<2_000 {
            var corrupt = body
            for _ in 0..<(index % 4 == 3 ? 3 : 1) {
                corrupt[engineStart + Int(rng.nextBelow(UInt64(checkpoint.engine.count)))] ^= UInt8(1 + rng.nextBelow(255))
            }
            do {
                var engine = try RunCheckpoint.restore(Self.frame(corrupt), workload: configuration.workload).engine
                for _ in 0..<200 { _ = engine.next() }
                restored += 1
            } catch {
                refused += 1
            }
        }
        print("engine state fuzz (valid checksums): \(restored) restored, \(refused) refused, 0 crashed")
        #expect(restored + refused == 2_000 && refused > 0)
    }

    /// `body` in the current layout: magic, length, body, CRC-32C.
    static func frame(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: RunCheckpoint.magic.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(body.count).littleEndian) { out.append(contentsOf: $0) }
        out += body
        withUnsafeBytes(of: CRC32C.checksum(out).littleEndian) { out.append(contentsOf: $0) }
        return out
    }
}
