import Foundation
import Testing
import TestSupport
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadTraces

/// `stats --kv-cache-blocks N` prints the hit ratio an
/// independent LRU model gives, for three N. The model here is not a linked
/// list but the stack-distance rule: an access hits iff fewer than N distinct
/// other blocks were used since the block's previous access (counted with a
/// Fenwick tree over access times).
@Suite(.statistics, .background, .tags(.statistics)) struct KVCacheStatsTests {
    struct Fenwick {
        var tree: [Int]
        init(_ n: Int) { tree = Array(repeating: 0, count: n + 1) }
        mutating func add(_ i: Int, _ delta: Int) { var i = i + 1; while i < tree.count { tree[i] += delta; i += i & -i } }
        func prefix(_ i: Int) -> Int { var i = i, s = 0; while i > 0 { s += tree[i]; i -= i & -i }; return s }  // sum over [0, i)
    }

    static func independentHits(_ accesses: [UInt64], capacity: Int) -> Int {
        var marks = Fenwick(accesses.count)
        var last: [UInt64: Int] = [:]
        var hits = 0
        for (t, id) in accesses.enumerated() {
            if let p = last[id] {
                let distinctSince = marks.prefix(t) - marks.prefix(p + 1)
                if distinctSince < capacity { hits += 1 }
                marks.add(p, -1)
            }
            marks.add(t, 1)
            last[id] = t
        }
        return hits
    }

    @Test func theHitRatioMatchesAnIndependentLRU() throws {
        var configuration = try PrefixHashTests.example(blockTokens: 512)
        configuration.override(duration: 900)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kv-stats-\(getpid()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try StreamGenerator.write(configuration, to: FileOutput(path: file.path))
        let lines = try Data(contentsOf: file).split(separator: 0x0A)
        var accesses: [UInt64] = []
        for line in lines {
            guard let object = try JSONSerialization.jsonObject(with: line) as? [String: Any],
                  let ids = object["hash_ids"] as? [NSNumber] else { continue }
            accesses += ids.map(\.uint64Value)
        }
        for capacity in [500, 5_000, 20_000] {
            var stats = StreamStatistics()
            stats.kvBlocks = KVBlockStatistics(cacheBlocks: capacity)
            for line in lines { stats.add(line: line) }
            let printed = try #require(stats.report().split(separator: "\n").first { $0.hasPrefix("kv cache") })
            let expected = Double(Self.independentHits(accesses, capacity: capacity)) / Double(accesses.count)
            print("N \(capacity): \(printed)")
            #expect(printed.contains("LRU of \(capacity) blocks: hit ratio \(KVBlockStatistics.format(hitRatio: expected)) ("), "independent \(expected)")
        }
    }
}
