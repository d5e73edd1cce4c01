import Foundation
import Logging
import Testing
import WorkloadModel
@testable import WorkloadDaemon
@testable import WorkloadTraces

/// Checkpoints follow Kafka's delivery reports without ever waiting on the
/// generating thread: a snapshot is written once every partition has had as
/// many records acknowledged as were produced to it when the snapshot was
/// taken, whether or not the producer's queue ever empties. Driven by a manual
/// clock and a sink whose acknowledgements lag a fixed wall time behind.
@Suite("Checkpointer")
struct CheckpointerTests {
    /// A Kafka-like sink: record i of a partition is acknowledged `lag` of wall
    /// time after it was produced, in produce order per partition. Nothing the
    /// loop can call flushes it; `finish` (the flush after the loop) is counted.
    final class LaggingSink: EventSink {
        let clock: ManualClock
        let wallPerEvent: UInt64
        let lag: UInt64
        static let partitions = 4
        var produced = [Int](repeating: 0, count: LaggingSink.partitions)
        /// Per partition, when each record produced there is acknowledged.
        var ackAt = [[UInt64]](repeating: [], count: LaggingSink.partitions)
        /// Acknowledgements of this partition stop (an outage of its leader) until the clock reaches `until`.
        var stalled: (partition: Int, from: UInt64, until: UInt64)?
        var failAt: UInt64?
        var finishes = 0
        var smallestQueue = Int.max
        var published = 0
        /// The checkpointer whose writes take no time on `clock`: each publish first waits for a write under
        /// way. The tests run this clock about 40 times faster than real time (10 s of it in a quarter of a
        /// second), so a real write, fsyncs included, would otherwise take a large and load-dependent part of
        /// a checkpoint interval: with fsync slowed to 20 ms the sustained test got 4 checkpoints instead of
        /// about 9. Real writes take milliseconds against the one-second interval; the loop itself still never waits.
        weak var checkpointer: Checkpointer?

        init(clock: ManualClock, wallPerEvent: UInt64, lag: UInt64) {
            self.clock = clock
            self.wallPerEvent = wallPerEvent
            self.lag = lag
        }

        func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError) {
            let partition = Int(event.seq % UInt64(Self.partitions))
            produced[partition] += 1
            var due = clock.now() + lag
            if let stalled, stalled.partition == partition, due >= stalled.from { due = max(due, stalled.until) }
            // A partition's reports come in order: never before the previous one's.
            ackAt[partition].append(max(due, ackAt[partition].last ?? 0))
            published += 1
            checkpointer?.waitForWrites()
            clock.advance(by: wallPerEvent)
            if published > 1_000 { smallestQueue = min(smallestQueue, outstanding) }
        }

        func watermark(time: VirtualNanoseconds, afterSeq: UInt64?) {}
        func poll() {}
        var outstanding: Int { produced.reduce(0, +) - acknowledged.reduce(0, +) }
        func finish(timeoutSeconds: Double) -> SinkOutcome {
            finishes += 1
            return SinkOutcome()
        }

        /// Per partition, how many of `ackAt` have come (the clock only moves on).
        private var came = [Int](repeating: 0, count: LaggingSink.partitions)
        var acknowledged: [Int] {
            let now = clock.now()
            for partition in came.indices {
                while came[partition] < ackAt[partition].count && ackAt[partition][came[partition]] <= now { came[partition] += 1 }
            }
            return came
        }

        var producedRecords: [Int] { produced }
        var acknowledgedRecords: (records: [Int], failed: Int) {
            (acknowledged, failAt.map { clock.now() >= $0 ? 1 : 0 } ?? 0)
        }
    }

    static func stateDirectory(_ name: String) throws -> StateDirectory {
        let path = NSTemporaryDirectory() + "checkpointer-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: path)
        return try StateDirectory(path: path)
    }

    /// 2,000 virtual seconds at `max` (about 50,000 events), 200 µs of wall time each: about 10 s.
    static func run(_ sink: LaggingSink, clock: ManualClock, directory: StateDirectory) throws -> Checkpointer {
        let configuration = try WatermarkCadenceTests.configuration(duration: 2_000)
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        let runner = DaemonRunner(
            configuration: configuration, encoder: encoder, sink: sink, shard: nil, pacing: .max, clock: clock,
            stop: StopSignal(), notifier: nil, metrics: nil, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let checkpointer = Checkpointer(directory: directory, pacingAnchorUnixNanoseconds: 0,
                                        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, sink: sink)
        sink.checkpointer = checkpointer
        runner.checkpointer = checkpointer
        _ = runner.run()
        return checkpointer
    }

    @Test("sustained load, the queue never empty: a checkpoint about every second, no flush from the loop")
    func writtenWhileTheQueueNeverEmpties() throws {
        let clock = ManualClock(now: 1_000_000_000)
        let sink = LaggingSink(clock: clock, wallPerEvent: 200_000, lag: 300_000_000)
        let directory = try Self.stateDirectory("sustained")
        let checkpointer = try Self.run(sink, clock: clock, directory: directory)
        let wallSeconds = Double(sink.published) * 200e-6
        print("sustained load: \(sink.published) events over \(wallSeconds) s of wall time, queue never below \(sink.smallestQueue) records, \(checkpointer.written) checkpoints")
        #expect(sink.published > 40_000)
        #expect(sink.smallestQueue > 1_000, "the queue never emptied")
        #expect(checkpointer.written >= Int(wallSeconds) - 2, "one checkpoint about every second: \(checkpointer.written)")
        #expect(sink.finishes == 0, "the loop never flushed the sink")
        // The writer runs on its own thread: the last checkpoint handed over may still be on its way.
        checkpointer.waitForWrites()
        let bytes = try directory.read(StateDirectory.checkpointName)
        let checkpoint = try #require(bytes.flatMap(RunCheckpoint.init(bytes:)))
        #expect((checkpoint.lastSeq ?? 0) > UInt64(sink.published) * 3 / 4, "a recent checkpoint: seq \(checkpoint.lastSeq ?? 0)")
    }

    @Test("a partition whose acknowledgements stall holds the checkpoint back until they come")
    func stalledPartitionHoldsBack() throws {
        let clock = ManualClock(now: 1_000_000_000)
        let sink = LaggingSink(clock: clock, wallPerEvent: 200_000, lag: 50_000_000)
        // Partition 2's reports stop from 2 s to 6 s (wall time since the start).
        sink.stalled = (2, 3_000_000_000, 7_000_000_000)
        let directory = try Self.stateDirectory("stalled")
        let checkpointer = Checkpointer(directory: directory, pacingAnchorUnixNanoseconds: 0,
                                        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, sink: sink)
        sink.checkpointer = checkpointer
        let configuration = try WatermarkCadenceTests.configuration(duration: 2_000)
        var engine = WorkloadEngine(spec: configuration.workload)
        var writtenAt: [UInt64] = []
        var lastSeq: UInt64?
        while clock.now() < 9_000_000_000, let event = engine.next() {
            try sink.publish(event, key: UnsafeRawBufferPointer(start: nil, count: 0), value: UnsafeRawBufferPointer(start: nil, count: 0))
            lastSeq = event.seq
            let before = checkpointer.written
            checkpointer.tick(engine: engine, lastSeq: lastSeq, lastTime: event.time, now: clock.now())
            if checkpointer.written > before { writtenAt.append(clock.now()) }
        }
        print("checkpoints written at \(writtenAt.map { String(format: "%.2f", Double($0 - 1_000_000_000) / 1e9) }) s")
        // A snapshot taken at 2.x s waits for partition 2, acknowledged again only at 6 s.
        #expect(!writtenAt.contains { $0 > 3_100_000_000 && $0 < 7_000_000_000 }, "nothing written while a partition lags")
        #expect(writtenAt.contains { $0 >= 7_000_000_000 }, "written once it caught up")
        #expect(writtenAt.count >= 4)
    }

    @Test("after a failed record no checkpoint is written again")
    func noCheckpointAfterAFailure() throws {
        let clock = ManualClock(now: 1_000_000_000)
        let sink = LaggingSink(clock: clock, wallPerEvent: 200_000, lag: 50_000_000)
        sink.failAt = 4_000_000_000
        let directory = try Self.stateDirectory("failed")
        let checkpointer = Checkpointer(directory: directory, pacingAnchorUnixNanoseconds: 0,
                                        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, sink: sink)
        sink.checkpointer = checkpointer
        var engine = WorkloadEngine(spec: try WatermarkCadenceTests.configuration(duration: 2_000).workload)
        var writtenAt: [UInt64] = []
        while clock.now() < 9_000_000_000, let event = engine.next() {
            try sink.publish(event, key: UnsafeRawBufferPointer(start: nil, count: 0), value: UnsafeRawBufferPointer(start: nil, count: 0))
            let before = checkpointer.written
            checkpointer.tick(engine: engine, lastSeq: event.seq, lastTime: event.time, now: clock.now())
            if checkpointer.written > before { writtenAt.append(clock.now()) }
        }
        #expect(writtenAt.count >= 2)
        #expect(writtenAt.allSatisfy { $0 < 4_000_000_000 }, "\(writtenAt)")
    }

    @Test("the writer reuses one buffer: each file holds exactly the checkpoint's bytes, a smaller one after a larger included")
    func reusedBufferWritesExactBytes() throws {
        let clock = ManualClock(now: 1_000_000_000)
        let sink = LaggingSink(clock: clock, wallPerEvent: 200_000, lag: 50_000_000)
        let directory = try Self.stateDirectory("exact")
        let checkpointer = Checkpointer(directory: directory, pacingAnchorUnixNanoseconds: 1_234_567,
                                        logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, sink: sink)
        var engine = WorkloadEngine(spec: try WatermarkCadenceTests.configuration(duration: 2_000).workload)
        let early = engine
        var last: Event?
        for _ in 0..<20_000 { last = engine.next() }
        let event = try #require(last)
        // Larger first (thousands of open sessions), then the engine before its first event.
        for (state, lastSeq, lastTime) in [(engine, Optional(event.seq), event.time), (early, nil, 0)] {
            checkpointer.hold(engine: state, lastSeq: lastSeq, lastTime: lastTime)
            checkpointer.commit()
            let expected = RunCheckpoint(lastSeq: lastSeq, lastTime: lastTime, pacingAnchorUnixNanoseconds: 1_234_567,
                                         engine: state.checkpoint()).bytes
            let written = try #require(try directory.read(StateDirectory.checkpointName))
            let same = written == expected  // compared apart: a failure would print both arrays
            #expect(written.count == expected.count)
            #expect(same, "the file differs from the checkpoint's bytes")
        }
    }
}
