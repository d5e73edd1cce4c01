import Testing
import WorkloadConfig
import WorkloadKafka
import WorkloadModel
@testable import WorkloadDaemon

/// The resume's gap check with `feedback`: its engine copy waits for
/// completions as the run did, so it must be handed them (what the
/// completions topic holds) to reach records after its first wait.
@Suite struct ResumeGapFeedbackTests {
    /// Every completion of an in-process loop, handed over at the first wait
    /// with the frontier past them all (the service answered everything).
    final class HandedCompletions: CompletionSupply {
        let completions: [LoopCompletion]
        private(set) var rounds = 0

        init(_ completions: [LoopCompletion]) { self.completions = completions }

        func supply(_ taker: any CompletionTaker) -> Bool {
            rounds += 1
            guard rounds == 1 else { return false }
            for done in completions {
                _ = taker.deliver(ParsedCompletion(session: done.key.session, turn: done.key.turn, time: done.time, outputTokens: done.output))
            }
            taker.advanceCompletionsFrontier(to: .max)
            return true
        }
    }

    /// What Kafka would hold of `events` on 3 + 3 partitions, read from their start, without `missing`.
    static func cover(of events: [Event], without missing: UInt64?) -> ResumeCover {
        var cover = ResumeCover(partitions: [3, 3])
        var offsets = [[Int64]](repeating: [0, 0, 0], count: 2)
        for topic in 0..<2 { for partition in 0..<3 { cover.complete[topic][partition] = true } }
        for event in events where event.seq != missing {
            var topic = 1
            if case .request = event { topic = 0 }
            let partition = withSessionKey(event.sessionID) { Murmur2.partition(forKey: $0, partitionCount: 3) }
            let value = Array("{\"type\":\"request\",\"seq\":\(event.seq),\"time_s\":1.0}".utf8)
            cover.take(topicIndex: topic, partition: partition, offset: offsets[topic][Int(partition)], value: value, kind: .data)
            offsets[topic][Int(partition)] += 1
        }
        return cover
    }

    static func engineAtStart(_ configuration: Configuration) -> WorkloadEngine {
        var engine = WorkloadEngine(spec: configuration.workload)
        // As a restart does: completions of requests not generated again yet are kept for them.
        engine.holdEarlyCompletions(until: .max)
        return engine
    }

    @Test("a record lost after the engine's first wait for completions is found; none is found where none is lost")
    func aLostRecordAfterTheFirstWaitIsFound() throws {
        let configuration = try closedLoopConfiguration(duration: 600)
        let loop = InProcessLoop(configuration, replicas: 2)
        #expect(!loop.deadlocked)
        // How far the copy gets on its own: it waits at once (no completions watermark yet).
        var alone = Self.engineAtStart(configuration)
        var before = 0
        while alone.next() != nil { before += 1 }
        #expect(alone.isStalled)
        let later = loop.events.compactMap(\.request).filter { $0.turn >= 2 }
        let missing = try #require(later.dropFirst(later.count / 2).first).seq
        let completions = Array(loop.completions.values)
        let partitions: [Int32] = [3, 3]
        let gap = Self.cover(of: loop.events, without: missing)
        let supply = HandedCompletions(completions)
        let found = ResumeGap.lost(continuing: Self.engineAtStart(configuration), cover: gap, shard: nil, partitions: partitions,
                                   completions: supply)
        let blind = ResumeGap.lost(continuing: Self.engineAtStart(configuration), cover: gap, shard: nil, partitions: partitions)
        let whole = ResumeGap.lost(continuing: Self.engineAtStart(configuration), cover: Self.cover(of: loop.events, without: nil),
                                   shard: nil, partitions: partitions, completions: HandedCompletions(completions))
        print("gap check under feedback: \(loop.events.count) events, \(completions.count) completions; alone the copy reaches \(before) events; lost seq \(missing): found \(found), without completions \(blind), nothing lost: \(whole)")
        #expect(UInt64(before) <= missing, "the lost record lies after the copy's first wait")
        #expect(found == [missing])
        #expect(blind.isEmpty, "without completions the copy stops at its first wait")
        #expect(whole.isEmpty, "the copy regenerates the run's own stream: no false refusal")
        #expect(supply.rounds >= 1)
    }
}
