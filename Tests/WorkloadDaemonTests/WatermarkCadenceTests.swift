import Logging
import Testing
import WorkloadModel
@testable import WorkloadDaemon
@testable import WorkloadConfig
@testable import WorkloadTraces

/// Watermarks from the daemon's loop: one round per virtual interval in real
/// time; faster than real time, at most one round per 10 ms of wall time, the
/// later round covering the skipped ones. Driven with a manual clock, so no
/// test depends on the machine's speed.
@Suite("Watermark cadence")
struct WatermarkCadenceTests {
    /// Records what the loop publishes; each publish moves the manual clock
    /// on by `wallPerEvent`, as if publishing took that long.
    final class RecordingSink: EventSink {
        let clock: ManualClock
        let wallPerEvent: UInt64
        var events: [(seq: UInt64, time: VirtualNanoseconds)] = []
        var watermarks: [(time: VirtualNanoseconds, wall: UInt64, afterCount: Int)] = []

        init(clock: ManualClock, wallPerEvent: UInt64) {
            self.clock = clock
            self.wallPerEvent = wallPerEvent
        }

        func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError) {
            events.append((event.seq, event.time))
            clock.advance(by: wallPerEvent)
        }

        func watermark(time: VirtualNanoseconds, afterSeq: UInt64?) {
            watermarks.append((time, clock.now(), events.count))
        }

        func poll() {}
        var outstanding: Int { 0 }
        func finish(timeoutSeconds: Double) -> SinkOutcome { SinkOutcome() }
    }

    static func configuration(duration: Double) throws -> Configuration {
        try Configuration.parse(yaml: """
            workload:
              total_duration: \(duration)
              random_seed: 3
              client_profiles:
                - profile_name: chat
                  inter_arrival_time_dist_config: {type: Exponential, rate: 5.0}
                  prompt_tokens_dist_config: {type: LogNormal, mean: 128, sigma: 64, is_int: true}
                  max_output_tokens_dist_config: {type: Uniform, low: 100, high: 500, is_int: true}
                  conversational_probability: 0.6
                  streaming_response_probability: 0.9
            """)
    }

    static func run(_ configuration: Configuration, pacing: PacingMode, wallPerEvent: UInt64) -> RecordingSink {
        let clock = ManualClock(now: 1_000_000_000)
        let sink = RecordingSink(clock: clock, wallPerEvent: wallPerEvent)
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        let runner = DaemonRunner(
            configuration: configuration, encoder: encoder, sink: sink, shard: nil, pacing: pacing, clock: clock,
            stop: StopSignal(), notifier: nil, metrics: nil, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        _ = runner.run()
        return sink
    }

    /// Every watermark is kept: no event after it has an earlier time, and
    /// watermarks never go back.
    static func checkPromises(_ sink: RecordingSink) {
        var previous = VirtualNanoseconds.min
        for mark in sink.watermarks {
            #expect(mark.time >= previous)
            previous = mark.time
            let broken = sink.events[mark.afterCount...].first { $0.time < mark.time }
            #expect(broken == nil, "event at \(broken?.time ?? 0) after a watermark at \(mark.time)")
        }
    }

    @Test("max speed: at most one round per 10 ms of wall time, promises kept")
    func coalescedAtMaxSpeed() throws {
        // 2,000 virtual seconds (about 50,000 events, 2,000 intervals) in
        // 50 ms of wall time: 1 µs per event.
        let sink = Self.run(try Self.configuration(duration: 2_000), pacing: .max, wallPerEvent: 1_000)
        #expect(sink.events.count > 40_000)
        let wall = sink.watermarks.last!.wall - sink.watermarks.first!.wall
        // Rounds during the run, plus the final one at the end.
        #expect(sink.watermarks.count >= 3)
        #expect(sink.watermarks.count <= Int(wall / 10_000_000) + 2, "\(sink.watermarks.count) rounds in \(wall) ns")
        for (earlier, later) in zip(sink.watermarks, sink.watermarks.dropFirst()) {
            // 16 events (the check's sampling) of slack past the 10 ms.
            #expect(later.wall - earlier.wall >= 10_000_000 || later.afterCount == sink.events.count)
        }
        Self.checkPromises(sink)
    }

    /// Also the idle ticks of long waits: they emit the wall-time watermarks
    /// (this used to trap on overlapping access to the pacer).
    @Test("real time: one round per virtual interval")
    func everyIntervalInRealTime() throws {
        let sink = Self.run(try Self.configuration(duration: 60), pacing: .realtime, wallPerEvent: 1_000)
        // 59 or 60 interval crossings (and the final round).
        #expect(sink.watermarks.count >= 58 && sink.watermarks.count <= 62, "\(sink.watermarks.count)")
        Self.checkPromises(sink)
    }
}
