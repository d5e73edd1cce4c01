import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig
@testable import WorkloadTraces

/// `fit`: sessions whose first turns begin with blocks another
/// session sent (after the system prefix) form families, written as a
/// `documents` pool; its size N solves N (1 - (1 - 1/N)^members) = families.
@Suite struct DocumentFamiliesTests {
    /// Requests as (session, turn, block IDs), 512-token blocks, prompts of whole blocks.
    static func sample(_ rows: [(Int, Int, [UInt64])]) -> RequestSample {
        var sample = RequestSample()
        sample.hasBlocks = true
        for (index, row) in rows.enumerated() {
            sample.blockIDs += row.2
            sample.closeBlocks()
            sample.append(time: Double(index), prompt: Int64(row.2.count) * 512, output: 10, session: row.0, turn: row.1)
        }
        sample.span = Double(rows.count)
        return sample
    }

    @Test func sessionsSharingLeadingBlocksFormFamilies() throws {
        let sample = Self.sample([
            (0, 1, [0, 1, 2, 3]),
            (1, 1, [0, 1, 2, 9, 10]),   // shares 2 blocks after the system block with session 0
            (2, 1, [0, 20, 21]),        // shares only the system block
            (3, 1, [0, 1, 30]),         // 1 block with session 0: same family
            (4, 1, [0, 9, 40]),         // block 9 was first session 1's: same family
            (1, 2, [0, 1, 2, 9, 10, 11]),  // a later turn: not a branch itself
            (5, 1, [0, 20, 50]),        // shares with session 2: a second family
            (6, 1, [0, 11, 60]),        // block 11 came from session 1's second turn
            (7, 1, [5, 70]),            // no system block: nothing shared
        ])
        let families = try #require(DocumentFamilies(sample, systemBlocks: 1, blockTokens: 512))
        #expect(families.sizes == [2, 5])
        #expect(families.members == 7)
        // The middle of the last shared block; a source takes its longest branch.
        #expect(families.tokens == [1280, 1280, 768, 768, 768, 768, 768, 0])

        let pool = families.pool(sessions: 14, firstPrompt: FamilyFit.fit([1, 2, 3], integer: true), turns: nil)
        #expect(pool.share == 0.5)
        // f(N) = N (1 - (1 - 1/N)^7): f(2) = 1.98 < 2 families < f(3) = 2.82, nearest 2.
        #expect(pool.items == 2)
    }

    @Test func withoutSharedBlocksThereIsNoPool() {
        let sample = Self.sample([(0, 1, [0, 1, 2]), (1, 1, [0, 3, 4]), (0, 2, [0, 1, 2, 5])])
        #expect(DocumentFamilies(sample, systemBlocks: 1, blockTokens: 512) == nil)
    }

    /// The pool's size for a large sample: the expected number of distinct
    /// items among `members` uniform draws is the number of families.
    @Test func poolSizeSolvesTheOccupancyEquation() throws {
        var rows: [(Int, Int, [UInt64])] = []
        var session = 0
        var next: UInt64 = 1000
        // 300 families: 200 pairs and 100 triples (700 members) among 1000 sessions.
        for family in 0..<300 {
            let size = family < 200 ? 2 : 3
            let shared: [UInt64] = [0, UInt64(family + 1)]
            for _ in 0..<size {
                rows.append((session, 1, shared + [next]))
                next += 1
                session += 1
            }
        }
        while session < 1000 {
            rows.append((session, 1, [0, next]))
            next += 1
            session += 1
        }
        let families = try #require(DocumentFamilies(Self.sample(rows), systemBlocks: 1, blockTokens: 512))
        #expect(families.sizes.count == 300 && families.members == 700)
        let pool = families.pool(sessions: 1000, firstPrompt: FamilyFit.fit([1, 2, 3], integer: true), turns: nil)
        #expect(abs(pool.share - 0.7) < 1e-12)
        func distinct(_ n: Double) -> Double { n * (1 - pow(1 - 1 / n, 700)) }
        #expect(distinct(Double(pool.items) - 1) < 300 && distinct(Double(pool.items) + 1) > 300,
                "items \(pool.items): E[D] \(distinct(Double(pool.items)))")
    }
}

/// Without history a later turn's prompt is its shared prefixes and its new
/// input: fit's later-turn new input leaves the system prefix out, so the
/// generated prompt is not the prefix twice.
@Suite struct FitHistoryNoneTests {
    @Test func laterTurnsWithoutHistoryCarryTheSystemPrefixOnce() throws {
        var sample = RequestSample()
        sample.hasBlocks = true
        var next: UInt64 = 100
        for session in 0..<60 {
            // Turn 1: 512 system + 300 tokens; turn 2 a shorter prompt (so no history mode carries): 512 + 188.
            for (turn, prompt) in [(1, Int64(812)), (2, Int64(700))] {
                sample.blockIDs += [0, next]
                next += 1
                sample.closeBlocks()
                sample.append(time: Double(session * 10 + turn), prompt: prompt, output: 50, session: session, turn: turn)
            }
        }
        sample.span = sample.times.last!
        let model = TraceFitter.initialModel(sample, blockTokens: 512, source: "t", format: .mooncake)
        #expect(model.history == "none" && model.sharedBlocks == 1 && model.documents == nil)
        var spec = try Configuration.parse(yaml: model.yaml()).workload
        spec.warmStart = false
        var engine = WorkloadEngine(spec: spec)
        var laterPrompts = Set<Int64>()
        while let event = engine.next() {
            if case .request(let request) = event, request.turn == 2 { laterPrompts.insert(request.promptTokens) }
        }
        #expect(laterPrompts == [700], "\(laterPrompts)")
    }
}
