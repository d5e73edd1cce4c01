import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
import WorkloadConfig
import WorkloadDaemon
import WorkloadKafka

/// `config/chat-closed.yaml` with `feedback` (`timeout_s`, `lookahead_s`),
/// sessions at `rate` a second, and the clock `clock` (a YAML flow mapping).
func feedbackConfiguration(duration: Double, rate: Double, timeout: Double, lookahead: Double?, clock: String,
                           replacing: [String: String] = [:]) throws -> Configuration {
    var text = try String(contentsOf: daemonRepositoryRoot.appendingPathComponent("config/chat-closed.yaml"), encoding: .utf8)
    text = text.replacingOccurrences(of: "{type: Exponential, rate: 5.0}", with: "{type: Exponential, rate: \(rate)}")
    for (old, new) in replacing {
        precondition(text.contains(old), "chat-closed.yaml has no \(old)")
        text = text.replacingOccurrences(of: old, with: new)
    }
    let ahead = lookahead.map { "\($0)" } ?? "null"
    text += "\nclock: \(clock)\nfeedback:\n  topic: llm.completions\n  timeout_s: \(timeout)\n  lookahead_s: \(ahead)\n"
    var configuration = try Configuration.parse(yaml: text, source: "chat-closed+feedback")
    configuration.override(duration: duration, seed: 42)
    configuration.metrics.listen = "127.0.0.1:0"
    configuration.kafka.librdkafka["linger.ms"] = "1"
    return configuration
}

/// Keeps the daemon's log entries at notice and above, with their metadata
/// (the closing `feedback` line has the loop's counts).
final class CapturedLog: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: the shared state is `entries` (a Mutex); metadata and
    // logLevel are value-copied per Logger as swift-log expects.
    let entries = Mutex<[(message: String, metadata: [String: String])]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .notice

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in event.metadata ?? [:] { fields[key] = "\(value)" }
        let entry = (message: "\(event.message)", metadata: fields)
        entries.withLock { $0.append(entry) }
    }

    /// The metadata of the first entry whose message is `message`.
    func fields(of message: String) -> [String: String]? {
        entries.withLock { $0.first { $0.message == message }?.metadata }
    }
}

/// A closed loop over the mock cluster taken step by step: the daemon starts
/// first (it waits for completions), the test may publish on the completions
/// topic, then the reference service starts on a thread.
final class SteppedLoop: @unchecked Sendable {
    // @unchecked Sendable: used by the one test thread; the service's summary is behind a Mutex.
    let fixture: DaemonKafkaFixture
    let configuration: Configuration
    let run: DaemonRun
    let log = CapturedLog()
    let producer: KafkaProducer
    private let served = Mutex<ServiceModelRunner.Summary?>(nil)
    private let serviceStop = StopSignal()
    private(set) var serviceStarted = false

    init(_ configuration: Configuration) throws {
        fixture = try DaemonKafkaFixture(completionPartitions: 3)
        self.configuration = fixture.configure(configuration)
        producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: fixture.cluster.bootstrapServers,
                                                                          properties: ["linger.ms": "1"]),
                                     logger: daemonTestLogger("fuzz"))
        let handler = log
        run = DaemonRun(configuration: self.configuration, options: RunOptions(), logger: Logger(label: "daemon") { _ in handler })
    }

    var brokers: String { fixture.cluster.bootstrapServers }

    /// `service-model` on a thread, reading the requests topic from the beginning.
    func startService(replicas: Int, dropFraction: Double) {
        serviceStarted = true
        let configuration = configuration, brokers = brokers, stop = serviceStop
        let thread = Thread { [self] in
            var options = ServiceModelRunner.Options(brokers: brokers, replicas: replicas, fromBeginning: true, dropFraction: dropFraction)
            options.timeoutSeconds = 300
            var runner = ServiceModelRunner(configuration: configuration, options: options, logger: daemonTestLogger("service"))
            let summary = try? runner.run(stop: stop)
            self.served.withLock { $0 = summary }
        }
        thread.start()
    }

    /// Waits until the generator has published a watermark on the requests
    /// topic: it runs its loop, so its completions reader is open.
    func waitForGeneratorWatermark(timeout: Double = 60) throws -> Bool {
        let consumer = try KafkaConsumer(bootstrapServers: brokers, logger: daemonTestLogger("reader"))
        try consumer.assignAll(topic: configuration.kafka.topics.requests, partitionCount: fixture.partitions[configuration.kafka.topics.requests]!)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let record = try? consumer.poll(timeoutMs: 10), String(decoding: record.value, as: UTF8.self).hasPrefix("{\"type\":\"watermark\"") {
                return true
            }
        }
        return false
    }

    /// Publishes `value` on `partition` of the completions topic and waits for it to be acknowledged.
    func publish(_ value: [UInt8], partition: Int32, key: String = "fuzz") throws {
        let key = Array(key.utf8)
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                try producer.produce(topic: "llm.completions", partition: partition, key: key, value: value)
            }
        }
        #expect(producer.flush(timeoutMs: 10_000))
    }

    func publish(_ text: String, partition: Int32) throws { try publish(Array(text.utf8), partition: partition) }

    /// Every record of the completions topic and of the requests topic, read
    /// until no data record (watermarks go on: the generator's every second)
    /// has come for `quiet` seconds.
    func readUntilQuiet(quiet: Double = 1.5, timeout: Double = 60) throws -> [ConsumedRecord] {
        let consumers = try [("llm.completions", Int32(3)), ("llm.requests", Int32(4))].map { topic in
            let consumer = try KafkaConsumer(bootstrapServers: brokers, logger: daemonTestLogger("reader"))
            try consumer.assignAll(topic: topic.0, partitionCount: topic.1)
            return consumer
        }
        let deadline = Date().addingTimeInterval(timeout)
        var records: [ConsumedRecord] = []
        var lastData = Date()
        while Date() < deadline && Date().timeIntervalSince(lastData) < quiet {
            for consumer in consumers {
                while let record = try consumer.poll(timeoutMs: 10) {
                    records.append(record)
                    if !record.value.starts(with: Array("{\"type\":\"watermark\"".utf8)) { lastData = Date() }
                }
            }
        }
        return records
    }

    /// Waits for the daemon's exit, then reads the requests and sessions
    /// topics with `consume` and the completions topic whole.
    func finish(timeout: Double = 300) throws -> (status: Int32?, stream: [String], completions: [ConsumedRecord], served: ServiceModelRunner.Summary?) {
        let status = run.waitForStatus(timeout: timeout)
        var lines: [String] = []
        _ = try ReferenceConsumer.run(
            .init(brokers: brokers, topics: [configuration.kafka.topics.requests, configuration.kafka.topics.sessions],
                  fromBeginning: true, exitAtEnd: true, timeoutSeconds: 60),
            stop: StopSignal(), logger: daemonTestLogger("consume")) { lines.append(String(decoding: $0, as: UTF8.self)) }
        let completions = try consumeAll(bootstrap: brokers, topics: [("llm.completions", 3)], minimumData: 1, timeout: 30, quiet: 0.5)
        for _ in 0..<500 where serviceStarted && served.withLock({ $0 == nil }) { pause(0.01) }
        serviceStop.set()
        return (status, lines, completions, served.withLock { $0 })
    }
}

/// The lines of `records` that are completions of run `run` (not watermarks, not fuzz).
func completionLines(_ records: [ConsumedRecord], run: String) -> [(line: String, partition: Int32)] {
    records.compactMap { record in
        let line = String(decoding: record.value, as: UTF8.self)
        guard line.hasPrefix("{\"type\":\"completion\""), RawJSONFields(Substring(line)).text("run_id") == Substring(run) else { return nil }
        return (line, record.partition)
    }
}
