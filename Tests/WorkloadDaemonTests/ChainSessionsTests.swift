import Testing
import WorkloadModel
@testable import WorkloadTraces

/// `fit`'s sessions from hash_ids: a later turn continues its own history,
/// not a system prompt or template that other sessions begin with too.
@Suite struct ChainSessionsTests {
    /// A row of complete 512-token blocks `ids` and `tail` more tokens (a partial block, an ID of its own).
    static func row(_ ids: [Int64], tail: Int64 = 100, output: Int64 = 200) -> TraceRow {
        TraceRow(timestamp: 0, promptTokens: Int64(ids.count) * 512 + tail, outputTokens: output, hashIDs: ids + [-(ids.last ?? 0) * 1_000 - tail])
    }

    /// Three clients' sessions begin with one 3-block system prompt; the first
    /// session's first turn has no complete block beyond it. The replay's rule
    /// reads every later request as that session's; these are four sessions.
    @Test func sessionsSharingASystemPromptAreNotMerged() {
        let system: [Int64] = [1, 2, 3]
        let rows = [
            Self.row(system, output: 300),              // A1: only the system prompt complete
            Self.row(system + [10, 11]),                // B1
            Self.row(system + [20]),                    // C1
            Self.row(system + [10, 11, 12, 13]),        // B2: B1's prompt, its answer, new input
            Self.row(system + [30, 31, 32]),            // A2 (its first block holds A1's tail and answer)
            Self.row(system + [20, 21, 22]),            // C2
            Self.row(system + [10, 11, 12, 13, 14]),    // B3
        ]
        let old = HashChainSessions(blockTokens: 512)
        var replay = old
        var replaySessions: [Int] = []
        for row in rows {
            let session = replay.session(continuedBy: row.hashIDs!) ?? replaySessions.count
            replaySessions.append(session)
            replay.record(row.hashIDs!, promptTokens: row.promptTokens, session: session)
        }
        #expect(Set(replaySessions).count < 4, "the replay's rule merges sessions here (else this test shows nothing)")
        #expect(ChainSessions(blockTokens: 512).sessions(rows) == [0, 1, 2, 1, 3, 2, 1])
    }

    /// A first turn whose complete blocks all lie in a document other sessions share behind a system prompt
    /// (the system block forks to two documents) waits there: the next request through that document that
    /// carries its prompt and answer continues it; a new session on the same document, which adds only its
    /// own input, does not. Behind a system prompt alone nothing waits (see above).
    @Test func aFirstTurnInsideASharedDocumentIsFollowed() {
        let document: [Int64] = [1, 2, 3]
        let rows = [
            Self.row([1, 5, 6, 7]),                        // F1: another document behind the system block
            Self.row(document + [10], output: 200),        // B1: goes past the document, so it branches there
            Self.row(document, tail: 100, output: 300),    // A1: carries 3 x 512 + 100 + 300 = 1,936
            Self.row(document, tail: 200, output: 100),    // D1: 1,736 < 1,936, a session of its own; carries 1,836
            Self.row(document + [30, 31, 32]),             // A2: 3,172 tokens, closest above A1's 1,936
            Self.row(document + [40], tail: 10),           // 2,058 tokens, above D1's 1,836 only: D's next turn
            Self.row(document + [30, 31, 32, 33]),         // A3, by its own chain
        ]
        #expect(ChainSessions(blockTokens: 512).sessions(rows) == [0, 1, 2, 3, 2, 3, 2])
        // Without the fork at the system block the document is the first family prefix: nothing waits.
        #expect(ChainSessions(blockTokens: 512).sessions(Array(rows.dropFirst())) == [0, 1, 2, 3, 4, 3])
    }

    /// A shorter prompt on the same blocks is a sibling (an edit, a
    /// regeneration), not a continuation: a session of its own. The chain
    /// both end at is then shared, so nothing continues it.
    @Test func aSiblingIsNotAContinuation() {
        let rows = [
            Self.row([1, 2, 3, 4], tail: 300),  // A1
            Self.row([1, 2, 3, 4], tail: 50),   // a sibling: 250 tokens shorter
            Self.row([5, 6]),                   // B1
            Self.row([5, 6, 7, 8]),             // B2: continues B1
            Self.row([1, 2, 3, 4, 40]),         // after A1 or its sibling: ambiguous
        ]
        #expect(ChainSessions(blockTokens: 512).sessions(rows) == [0, 1, 2, 2, 3])
    }

    /// A session whose history is its own (one block follows each of its
    /// chains) is read whole, turn after turn.
    @Test func aSessionsOwnHistoryIsFollowed() {
        let rows = [
            Self.row([1, 2]),
            Self.row([1, 2, 3, 4]),
            Self.row([9, 8, 7]),
            Self.row([1, 2, 3, 4, 5]),
            Self.row([9, 8, 7, 6, 5]),
        ]
        #expect(ChainSessions(blockTokens: 512).sessions(rows) == [0, 0, 1, 0, 1])
    }

    /// A turn cut to a context window (its blocks past the system prompt new) continues the session
    /// whose last prompt and answer came closest to the window; without the window it is a session of its own.
    @Test func aTurnCutToTheWindowContinuesItsSession() {
        let system: [Int64] = [1, 2]
        let rows = [
            Self.row(system + [10]),                        // A1
            Self.row(system + [20]),                        // B1
            Self.row(system + [10, 11, 12, 13, 14, 15]),    // A2: 4,196 tokens and a 200-token answer
            Self.row(system + [20, 21]),                    // B2: 2,148 tokens and a 200-token answer
            // A3, cut to a 4,608-token window: 9 blocks, new past the system prompt.
            TraceRow(timestamp: 0, promptTokens: 4608, outputTokens: 200, hashIDs: system + [40, 41, 42, 43, 44, 45, 46]),
        ]
        #expect(ChainSessions(blockTokens: 512, window: 4608).sessions(rows) == [0, 1, 0, 1, 0])
        #expect(ChainSessions(blockTokens: 512).sessions(rows) == [0, 1, 0, 1, 2])
    }

    /// A window is read only where the prompts pile at their largest value, above the 2% of lengths below it.
    @Test func aWindowIsReadWhereThePromptsPileAtTheirLargest() {
        let spread = (1...1000).map { Int64($0 * 10) }
        #expect(ContextWindow.detect(spread) == nil)
        #expect(ContextWindow.detect(spread + [Int64](repeating: 10_000, count: 30)) == 10_000)
        // 16 at the largest against 20 in the 2% below it: a law's own upper end, not a window.
        #expect(ContextWindow.detect(spread + [Int64](repeating: 10_000, count: 15)) == nil)
    }
}
