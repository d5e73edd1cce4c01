import Foundation
import Logging
import WorkloadKafka

/// `llm-workload consume`: reads every partition of the topics and writes the
/// data events as one time-ordered stream (see `WatermarkMerger` for the rule).
package struct ReferenceConsumer {
    package struct Options: Sendable {
        package var brokers: String
        package var topics: [String]
        package var fromBeginning = false
        /// Stop once every producer's stream has ended on every partition.
        package var exitAtEnd = false
        /// Give up after this many wall seconds (nil: never; tests bound their wait).
        package var timeoutSeconds: Double?

        package init(brokers: String, topics: [String], fromBeginning: Bool = false, exitAtEnd: Bool = false,
                    timeoutSeconds: Double? = nil) {
            self.brokers = brokers
            self.topics = topics
            self.fromBeginning = fromBeginning
            self.exitAtEnd = exitAtEnd
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// How a consume ended.
    package struct Summary: Sendable, Equatable {
        package var released = 0
        package var watermarks = 0
        /// Data events still held back (no watermark passed them) at the end.
        package var waiting = 0
        /// Data events behind their own producer's watermark: a broken promise.
        package var lateEvents = 0
        /// Data events read twice (the same run and seq).
        package var duplicateEvents = 0
        /// Records neither a data event nor a readable watermark.
        package var unreadable = 0
        /// Every producer's stream ended on every partition.
        package var ended = false
    }

    /// Reads until the streams end (`exitAtEnd`), `stop` is set or the
    /// timeout passes; hands each released event (its JSON object, no
    /// newline) to `output` in order.
    package static func run(
        _ options: Options, stop: StopSignal, logger: Logger, output: ([UInt8]) throws -> Void
    ) throws -> Summary {
        let consumer = try KafkaConsumer(bootstrapServers: options.brokers, logger: logger)
        var assignment: [(topic: String, partitionCount: Int32)] = []
        for topic in options.topics {
            assignment.append((topic, try consumer.partitionCount(topic: topic, timeoutMs: 10_000)))
        }
        try consumer.assign(assignment, fromBeginning: options.fromBeginning)
        logger.info("consuming", metadata: [
            "topics": "\(assignment.map { "\($0.topic) (\($0.partitionCount) partitions)" }.joined(separator: ", "))",
        ])
        var merger = WatermarkMerger(partitions: assignment.flatMap { entry in
            (0..<entry.partitionCount).map { WatermarkMerger.PartitionID(topic: entry.topic, partition: $0) }
        })
        let deadline = options.timeoutSeconds.map { SteadyClock.nanoseconds() &+ UInt64($0 * 1e9) }
        var summary = Summary()
        while !stop.isSet {
            if options.exitAtEnd && merger.ended { break }
            if let deadline, SteadyClock.nanoseconds() >= deadline { break }
            var received = 0
            do {
                // Take what is there (up to a batch), then release.
                while received < 10_000, let record = try consumer.poll(timeoutMs: received == 0 ? 100 : 0) {
                    merger.add(record.value, from: .init(topic: record.topic, partition: record.partition))
                    received += 1
                }
            } catch {
                if error.isFatal { throw error }
                logger.warning("consumer error; still reading", metadata: ["error": "\(error)"])
            }
            try merger.release { value in
                try output(value)
                summary.released += 1
            }
        }
        summary.watermarks = merger.watermarks
        summary.waiting = merger.waiting
        summary.lateEvents = merger.lateEvents
        summary.duplicateEvents = merger.duplicateEvents
        summary.unreadable = merger.unreadable
        summary.ended = merger.ended
        return summary
    }
}
