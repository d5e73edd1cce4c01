import CoreMetrics
import Logging
import WorkloadConfig
import WorkloadModel

/// How many records the `faults` section changed, by kind.
package struct FaultCounts: Sendable, Equatable {
    /// Published behind a watermark that had passed their `time_s`.
    package var late = 0
    /// Published a second time.
    package var duplicated = 0
    /// Never published.
    package var dropped = 0
}

/// Publish-time faults (`faults`): decides each data event's fate and holds
/// late records until a watermark round has passed them. The Kafka sink asks
/// it how many copies of an event to send now and hands it every watermark.
///
/// Fates are drawn from a stream of their own keyed by the event's `seq`, so
/// they repeat run after run, agree across shards, and move no other draw;
/// the generated stream is untouched.
package final class FaultInjector {
    /// A late record waiting for its release.
    package struct Held {
        package var event: Event
        /// Virtual time after which it may go (`time_s` plus its delay).
        var due: VirtualNanoseconds
        package var key: [UInt8]
        package var value: [UInt8]
    }

    let configuration: FaultConfiguration
    let seed: UInt64
    package private(set) var counts = FaultCounts()
    private var held: [Held] = []
    private let counters: (late: Counter, duplicated: Counter, dropped: Counter)?
    /// Set while the sink publishes released records (sent as they are).
    var releasing = false

    package init(_ configuration: FaultConfiguration, seed: UInt64, metrics: DaemonMetrics?) {
        self.configuration = configuration
        self.seed = StreamIdentity("faults").combined(with: seed)
        counters = metrics.map { ($0.faultsInjected(kind: "late"), $0.faultsInjected(kind: "duplicate"), $0.faultsInjected(kind: "drop")) }
    }

    /// Records held back now.
    package var holding: Int { held.count }

    /// How many copies of `event` to publish now: 1 normally, 2 for a
    /// duplicate, 0 for a dropped record or one held to be published late.
    package func copies(of event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Int {
        if releasing { return 1 }
        var rng = Xoshiro256(seed: StreamIdentity().appending(event.seq).combined(with: seed))
        let u = rng.nextUnit()
        var bound = configuration.dropProbability
        if u < bound {
            counts.dropped += 1
            counters?.dropped.increment()
            return 0
        }
        bound += configuration.duplicateProbability
        if u < bound {
            counts.duplicated += 1
            counters?.duplicated.increment()
            return 2
        }
        bound += configuration.lateProbability
        if u < bound {
            let delay = configuration.lateDelay.sample(using: &rng)
            // At most about 31 years, so the sum cannot overflow the clock.
            let due = event.time &+ VirtualNanoseconds(min(max(delay, 0), 1e9) * 1e9)
            held.append(Held(event: event, due: due, key: Array(key), value: Array(value)))
            return 0
        }
        return 1
    }

    /// Removes and returns the held records a watermark round at `time` has
    /// passed and whose delay is over (`all`: every one the round passed),
    /// counting them late.
    package func released(after time: VirtualNanoseconds, all: Bool = false) -> [Held] {
        guard !held.isEmpty else { return [] }
        var out: [Held] = []
        held.removeAll { record in
            guard record.event.time < time, all || record.due <= time else { return false }
            out.append(record)
            return true
        }
        counts.late += out.count
        counters?.late.increment(by: out.count)
        return out.sorted { $0.event.seq < $1.event.seq }
    }
}

extension KafkaSink {
    /// Publishes the late records a watermark round at `time` has passed.
    func releaseLate(after time: VirtualNanoseconds, all: Bool = false) {
        guard let faults else { return }
        faults.releasing = true
        defer { faults.releasing = false }
        for record in faults.released(after: time, all: all) {
            record.key.withUnsafeBytes { key in
                record.value.withUnsafeBytes { value in
                    do throws(SinkError) {
                        try publish(record.event, key: key, value: value)
                    } catch {
                        logger.error("cannot publish a late record", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }

    /// At the end of the stream: one more round a nanosecond past the end
    /// passes every held record, which then goes out before the final round.
    func releaseAllLate(endingAt time: VirtualNanoseconds, afterSeq: UInt64?) {
        guard let faults, faults.holding > 0 else { return }
        let past = time == .max ? time : time + 1
        watermark(time: past, afterSeq: afterSeq)
        releaseLate(after: past, all: true)
    }
}
