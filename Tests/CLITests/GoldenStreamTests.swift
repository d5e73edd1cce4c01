import Foundation
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// Pins the stream. Correctness is shown by the statistical and semantic
/// tests; this test only catches an *unintended* change of the bytes for a
/// fixed configuration and seed (a reordered draw, a changed field, an
/// optimisation that is not semantics-free). Changing the pinned value is a
/// deliberate act: say in the commit why the stream had to change.
@Suite(.timeLimit(.minutes(10))) struct GoldenStreamTests {
    /// FNV-1a 64 of `generate` for config/example.yaml, 600 s, seed 1.
    static let pinned: UInt64 = 0x0527_E347_59AD_68F4

    @Test func exampleStreamBytesArePinned() throws {
        var configuration = try Configuration.load(path: repositoryRoot.appendingPathComponent("config/example.yaml").path)
        configuration.override(duration: 600, seed: 1)
        let file = try temporaryFile("golden.jsonl")
        let summary = try StreamGenerator.write(configuration, to: FileOutput(path: file.path))
        let bytes = try Data(contentsOf: file)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        #expect(summary.events > 10_000)
        #expect(hash == Self.pinned, "stream hash is \(String(hash, radix: 16)) (\(bytes.count) bytes, \(summary.events) events)")
    }
}
