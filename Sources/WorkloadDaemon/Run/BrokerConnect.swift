import Dispatch
import Foundation
import Synchronization
import WorkloadKafka

/// How `run` waits for a broker at start-up: until one answers a metadata request,
/// the deadline passes (exit 69) or a stop is asked for.
///
/// The deadlines follow `kafka.librdkafka`'s socket settings, so that a broker far away
/// is reachable whenever librdkafka itself would reach it: each request may wait up to
/// `socket.timeout.ms` for its answer (librdkafka's request timeout), and the whole
/// wait lasts at least `connectTimeoutSeconds`, longer when
/// `socket.connection.setup.timeout.ms` or `socket.timeout.ms` is set longer.
struct BrokerConnect: Sendable, Equatable {
    /// How long the whole wait may last.
    var totalMilliseconds: Int
    /// The longest one metadata request may wait for its answer.
    var requestMilliseconds: Int

    /// The first request's time limit. Short, so that a request sent before any
    /// connection was up does not wait for librdkafka's 1 s retry timer; each further
    /// request gets twice the time of the one before (up to `requestMilliseconds`), so
    /// an answer slower than a slice still arrives.
    static let firstRequestMilliseconds = 100
    /// How long `run` tries to reach a broker at least (exit 69 after).
    static let connectTimeoutSeconds = 30
    /// librdkafka's default `socket.timeout.ms`.
    static let defaultSocketTimeoutMilliseconds = 60_000

    init(totalMilliseconds: Int, requestMilliseconds: Int) {
        self.totalMilliseconds = totalMilliseconds
        self.requestMilliseconds = requestMilliseconds
    }

    /// The deadlines for the `kafka.librdkafka` properties `properties`.
    init(properties: [String: String]) {
        func milliseconds(_ name: String) -> Int? {
            properties[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0 > 0 ? $0 : nil }
        }
        let socketTimeout = milliseconds("socket.timeout.ms")
        let setupTimeout = milliseconds("socket.connection.setup.timeout.ms")
        requestMilliseconds = socketTimeout ?? Self.defaultSocketTimeoutMilliseconds
        totalMilliseconds = max(Self.connectTimeoutSeconds * 1000, setupTimeout ?? 0, socketTimeout ?? 0)
    }

    /// The time limit of request number `attempt` (0-based), before the deadline's cap.
    func requestTimeout(attempt: Int) -> Int {
        let doublings = min(attempt, 30)
        return min(requestMilliseconds, Self.firstRequestMilliseconds << doublings)
    }

    /// Waits for a broker to answer and returns the broker count, or nil when stopped.
    /// Each metadata request runs on a thread of its own while this one looks at `stop`
    /// every 100 ms, so a stop is noticed at once however long the request may wait (an
    /// abandoned request keeps the producer alive until librdkafka gives it up). Throws
    /// the last error once the deadline has passed, or a fatal one at once.
    func wait(for producer: KafkaProducer, stop: StopSignal, clock: any WallClock) throws(KafkaError) -> Int? {
        let deadline = clock.now() + UInt64(totalMilliseconds) * 1_000_000
        var attempt = 0
        while true {
            if stop.isSet { return nil }
            let now = clock.now()
            let remaining = now < deadline ? Int((deadline - now) / 1_000_000) : 0
            let timeout = Int32(clamping: max(1, min(requestTimeout(attempt: attempt), remaining)))
            guard let result = Self.request(producer, timeoutMs: timeout, stop: stop) else { return nil }
            switch result {
            case .success(let brokers):
                return brokers
            case .failure(let error):
                if error.isFatal || clock.now() >= deadline { throw error }
            }
            attempt += 1
        }
    }

    /// One metadata request on a thread of its own; nil when a stop came first.
    private static func request(_ producer: KafkaProducer, timeoutMs: Int32, stop: StopSignal) -> Result<Int, KafkaError>? {
        let answer = Answer()
        let thread = Thread {
            answer.set(Result { () throws(KafkaError) in try producer.waitUntilConnected(timeoutMs: timeoutMs) })
        }
        thread.name = "kafka-connect"
        thread.start()
        while true {
            if let result = answer.wait(milliseconds: 100) { return result }
            if stop.isSet { return nil }
        }
    }

    /// One request's answer, handed from its thread.
    private final class Answer: Sendable {
        private let result = Mutex<Result<Int, KafkaError>?>(nil)
        private let ready = DispatchSemaphore(value: 0)

        func set(_ value: Result<Int, KafkaError>) {
            result.withLock { $0 = value }
            ready.signal()
        }

        func wait(milliseconds: Int) -> Result<Int, KafkaError>? {
            guard ready.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else { return nil }
            return result.withLock { $0 }
        }
    }
}
