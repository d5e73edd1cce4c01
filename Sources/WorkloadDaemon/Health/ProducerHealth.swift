import Synchronization
import WorkloadConfig

/// What `/healthz` reports, and why.
package struct HealthState: Sendable, Equatable {
    /// Records have waited longer than `broker_timeout_s` with no broker acknowledging any.
    package var brokersUnreachable = false
    /// The producer queue holds more than `queue_saturation` of either of its bounds,
    /// `queue.buffering.max.messages` or `queue.buffering.max.kbytes`.
    package var queueSaturated = false
    /// A fatal producer error, or a record Kafka rejected for good: sticky.
    package var failed = false

    package var isHealthy: Bool { !brokersUnreachable && !queueSaturated && !failed }

    /// The problems as metric label values, in a fixed order.
    static let problems = ["brokers_unreachable", "queue_saturated", "failed"]
    var flags: [Bool] { [brokersUnreachable, queueSaturated, failed] }
}

/// The producer's health from periodic observations (every 100 ms, from
/// `HealthMonitor`), with an injected clock so tests step time.
///
/// "No broker reachable" is judged by progress, not by librdkafka's broker
/// events: the producer made progress at an observation when the number of
/// acknowledged records grew or nothing was waiting. Records that wait
/// longer than the timeout with no progress mean no leader of theirs answers;
/// the first acknowledgement afterwards makes it healthy again.
package final class ProducerHealth: Sendable {
    package struct Observation: Sendable {
        /// Records (and requests) queued or in flight.
        package var outstanding: Int
        /// Records acknowledged so far.
        package var delivered: Int
        /// A fatal or permanent failure happened.
        package var failed: Bool
        /// Value bytes of the records queued or in flight.
        package var queuedBytes: Int

        package init(outstanding: Int, delivered: Int, failed: Bool, queuedBytes: Int = 0) {
            self.outstanding = outstanding
            self.delivered = delivered
            self.failed = failed
            self.queuedBytes = queuedBytes
        }
    }

    private let timeoutNanoseconds: UInt64
    private let saturationRecords: Double
    private let saturationBytes: Double
    private let clock: any WallClock
    private struct Memory {
        var lastProgress: UInt64
        var delivered = 0
        var state = HealthState()
    }
    private let memory: Mutex<Memory>

    /// - Parameters:
    ///   - queueCapacity: the producer's `queue.buffering.max.messages`.
    ///   - queueByteCapacity: its `queue.buffering.max.kbytes`, in bytes. Under a slow
    ///     broker large records fill this bound long before the message bound, and the
    ///     generator is throttled just the same.
    package init(configuration: HealthConfiguration, queueCapacity: Int, queueByteCapacity: Int, clock: any WallClock) {
        timeoutNanoseconds = UInt64(configuration.brokerTimeoutSeconds * 1e9)
        saturationRecords = configuration.queueSaturation * Double(max(1, queueCapacity))
        saturationBytes = configuration.queueSaturation * Double(max(1, queueByteCapacity))
        self.clock = clock
        memory = Mutex(Memory(lastProgress: clock.now()))
    }

    /// Takes one observation and returns the resulting state.
    @discardableResult
    package func observe(_ observation: Observation) -> HealthState {
        let now = clock.now()
        return memory.withLock { memory in
            if observation.delivered != memory.delivered || observation.outstanding == 0 {
                memory.lastProgress = now
                memory.delivered = observation.delivered
            }
            memory.state.brokersUnreachable = now &- memory.lastProgress > timeoutNanoseconds
            memory.state.queueSaturated = Double(observation.outstanding) > saturationRecords
                || Double(observation.queuedBytes) > saturationBytes
            memory.state.failed = memory.state.failed || observation.failed
            return memory.state
        }
    }

    /// The state at the latest observation.
    package var state: HealthState {
        memory.withLock { $0.state }
    }
}
