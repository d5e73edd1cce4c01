import Foundation
import Logging
import WorkloadConfig
import WorkloadKafka
import WorkloadModel

/// `llm-workload service-model`: the reference service on the bus. Reads the
/// requests topic with the watermark rule (as `consume` does), serves each
/// request in (time, seq) order with `ReferenceService`, and publishes a
/// `completion` record per answered request (keyed by session ID) and, after
/// each batch, its watermark on every partition of the completions topic. A
/// test double and a demo, not a simulator.
package struct ServiceModelRunner {
    package struct Options: Sendable {
        package var brokers: String
        package var replicas = 1
        package var fromBeginning = false
        package var dropFraction = 0.0
        /// Give up after this many wall seconds (nil: never; tests bound their wait).
        package var timeoutSeconds: Double?

        package init(brokers: String, replicas: Int = 1, fromBeginning: Bool = false, dropFraction: Double = 0) {
            self.brokers = brokers
            self.replicas = replicas
            self.fromBeginning = fromBeginning
            self.dropFraction = dropFraction
        }
    }

    package struct Summary: Sendable, Equatable {
        package var requests = 0
        package var completions = 0
        package var dropped = 0
        package var unreadable = 0
        package var watermarks = 0
        /// Every request producer's stream ended (then the service's ended too).
        package var ended = false
    }

    let configuration: Configuration
    let options: Options
    let logger: Logger
    let completionsTopic: String
    var service: ReferenceService
    let profileIndex: [String: Int]
    var encoders: [String: EventEncoder] = [:]
    var seq: UInt64 = 0
    var promised: VirtualNanoseconds = .min
    /// The last finite promise (a final watermark carries it).
    var lastFinite: VirtualNanoseconds = 0
    var summary = Summary()
    var line = ByteWriter(capacity: 1024)

    package init(configuration: Configuration, options: Options, logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        completionsTopic = configuration.feedback?.topic ?? FeedbackConfiguration().topic
        service = ReferenceService(spec: configuration.workload, replicas: options.replicas, dropFraction: options.dropFraction)
        profileIndex = Dictionary(configuration.workload.profiles.enumerated().map { ($1.name, $0) }) { first, _ in first }
    }

    /// Serves until every request producer has ended, `stop` is set, or the timeout passes.
    package mutating func run(stop: StopSignal) throws -> Summary {
        let fast = ["fetch.wait.max.ms": "1", "fetch.error.backoff.ms": "5"]
        let consumer = try KafkaConsumer(bootstrapServers: options.brokers, properties: fast, logger: logger)
        let requestsTopic = configuration.kafka.topics.requests
        let requestPartitions = try consumer.partitionCount(topic: requestsTopic, timeoutMs: 10_000)
        try consumer.assign([(requestsTopic, requestPartitions)], fromBeginning: options.fromBeginning)
        var properties = configuration.kafka.librdkafka
        properties["linger.ms"] = properties["linger.ms"] ?? "1"
        let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: options.brokers, properties: properties), logger: logger)
        let partitions = try producer.partitionCount(topic: completionsTopic, timeoutMs: 10_000)
        var merger = WatermarkMerger(partitions: (0..<requestPartitions).map { .init(topic: requestsTopic, partition: $0) })
        logger.info("serving", metadata: ["requests": "\(requestsTopic)", "completions": "\(completionsTopic)", "replicas": "\(options.replicas)"])
        let deadline = options.timeoutSeconds.map { SteadyClock.nanoseconds() &+ UInt64($0 * 1e9) }
        while !stop.isSet && !summary.ended {
            if let deadline, SteadyClock.nanoseconds() >= deadline { break }
            var received = 0
            do {
                while received < 10_000, let record = try consumer.poll(timeoutMs: received == 0 ? 5 : 0) {
                    merger.add(record.value, from: .init(topic: record.topic, partition: record.partition))
                    received += 1
                }
            } catch {
                if error.isFatal { throw error }
                logger.warning("consumer error; still reading", metadata: ["error": "\(error)"])
            }
            try merger.release { value in try serve(value, producer: producer, partitions: partitions) }
            summary.ended = merger.ended
            let promise = summary.ended ? VirtualNanoseconds.max : service.promise(requestsFrontier: merger.frontier)
            if promise > promised {
                promised = promise
                if promise < .max { lastFinite = promise }
                try publishWatermark(promise, producer: producer, partitions: partitions)
            }
            producer.poll(timeoutMs: 0)
        }
        summary.unreadable += merger.unreadable
        _ = producer.flush(timeoutMs: 10_000)
        return summary
    }

    /// One released request: its completion, unless the service drops it.
    mutating func serve(_ value: [UInt8], producer: KafkaProducer, partitions: Int32) throws {
        let fields = EventFields(value)
        guard fields.string("type") == Array("request".utf8) else { return }
        guard let request = ServedRequest(fields, profiles: profileIndex) else {
            summary.unreadable += 1
            return
        }
        summary.requests += 1
        guard let times = service.serve(session: request.session, turn: request.turn, profile: request.profile,
                                        arrival: request.arrival, uncachedTokens: request.newInput, outputTokens: request.output) else {
            summary.dropped += 1
            // Which ones, so that a test or a reader can match the sessions that end `no_response`.
            logger.info("dropped", metadata: ["request_id": "\(String(decoding: request.sessionText, as: UTF8.self))-\(request.turn)"])
            return
        }
        let encoder = self.encoder(run: request.run, start: request.start)
        var event = CompletionEvent(seq: seq, time: times.completion, firstToken: times.firstToken, sessionID: request.session,
                                    outputTokens: request.output, profile: Int32(request.profile), client: request.client, turn: request.turn)
        event.status = .ok
        seq += 1
        line.removeAll()
        encoder.encode(event, into: &line)
        line.removeLast()
        let key = Array(request.sessionText)
        let partition = key.withUnsafeBytes { Murmur2.partition(forKey: $0, partitionCount: partitions) }
        try key.withUnsafeBytes { key in
            try line.withUnsafeBytes { value in
                try producer.produce(topic: completionsTopic, partition: partition, key: key, value: value)
            }
        }
        summary.completions += 1
    }

    /// The completions' encoder for requests of run `run` (completions carry their requests' run ID and clock).
    mutating func encoder(run: String, start: Int64) -> EventEncoder {
        if let known = encoders[run] { return known }
        let made = EventEncoder(runID: run, seed: configuration.workload.seed, startUnixNanoseconds: start,
                                profileNames: configuration.workload.profiles.map(\.name))
        encoders[run] = made
        return made
    }

    mutating func publishWatermark(_ time: VirtualNanoseconds, producer: KafkaProducer, partitions: Int32) throws {
        let encoder = encoders.values.first ?? encoder(run: "service-model", start: 0)
        let key = Array("watermark".utf8)
        for partition in 0..<partitions {
            line.removeAll()
            let final = time == .max
            encoder.encodeWatermark(time: final ? lastFinite : time, afterSeq: seq == 0 ? nil : seq - 1,
                                    topic: completionsTopic, partition: partition, final: final, into: &line)
            line.removeLast()
            try key.withUnsafeBytes { key in
                try line.withUnsafeBytes { value in
                    try producer.produce(topic: completionsTopic, partition: partition, key: key, value: value)
                }
            }
            summary.watermarks += 1
        }
    }
}

/// The fields of a request record the service needs.
struct ServedRequest {
    var session: UInt64
    var sessionText: [UInt8]
    var turn: Int32
    var profile: Int
    var client: Int32
    var arrival: VirtualNanoseconds
    var newInput: Int64
    var output: Int64
    var run: String
    /// Unix nanoseconds of virtual time 0 (from `time` and `time_s`).
    var start: Int64

    init?(_ fields: EventFields, profiles: [String: Int]) {
        guard let sessionText = fields.string("session_id"), let session = UInt64(String(decoding: sessionText, as: UTF8.self), radix: 16),
              let turn = fields.integer("turn"), let arrival = fields.nanoseconds("time_s"),
              let name = fields.string("profile"), let profile = profiles[String(decoding: name, as: UTF8.self)],
              let newInput = fields.integer("new_input_tokens"), let output = fields.integer("output_tokens"),
              let clientText = fields.string("client_id"), let dash = clientText.lastIndex(of: UInt8(ascii: "-")),
              let client = Int32(String(decoding: clientText[(dash + 1)...], as: UTF8.self)),
              let turn32 = Int32(exactly: turn) else { return nil }
        self.session = session
        self.sessionText = sessionText
        self.turn = turn32
        self.profile = profile
        self.client = client
        self.arrival = arrival
        self.newInput = newInput
        self.output = output
        run = fields.string("run_id").map { String(decoding: $0, as: UTF8.self) } ?? ""
        let wall = fields.string("time").flatMap { RFC3339.parse(String(decoding: $0, as: UTF8.self)) }
        start = wall.map { $0 - arrival } ?? 0
    }
}
