import ArgumentParser
import Foundation
import Logging
import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces

struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Read every partition of the topics and write the data events as JSON Lines in time order, each once every producer's watermark has passed it.",
        discussion: """
            Events come out in non-decreasing time_s, ties by seq. A partition's time is the minimum over \
            its `shards` producers' latest watermarks; an event is released once every partition's time is \
            past it. With --exit-at-end, stops once every producer has ended its stream on every partition \
            (a watermark with "final": true). Exit status: 0; 64 usage; 69 Kafka unreachable; 74 output error.
            """
    )

    @Option(help: "Bootstrap servers, host:port,...")
    var brokers: String

    @Option(help: "Topics to read, comma-separated: `requests`, `sessions` and `completions` name llm.requests, llm.sessions and llm.completions; anything else is a topic name.")
    var topics: String = "requests,sessions"

    @Flag(help: "Read from each partition's first record (default: only what arrives from now on).")
    var fromBeginning = false

    @Flag(help: "Stop once every producer's stream has ended on every partition.")
    var exitAtEnd = false

    /// The topic names `--topics` lists.
    var topicNames: [String] {
        topics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { name in
            switch name {
            case "requests": return KafkaTopics().requests
            case "sessions": return KafkaTopics().sessions
            case "completions": return KafkaTopics().completions
            default: return name
            }
        }
    }

    func validate() throws {
        if let complaint = BrokerList.problems(brokers).first { throw ValidationError("--brokers: \(complaint)") }
        let names = topicNames
        if names.isEmpty || names.contains(where: \.isEmpty) {
            throw ValidationError("--topics: expected a comma-separated list of topics (got \"\(topics)\")")
        }
        if Set(names).count != names.count { throw ValidationError("--topics: a topic is listed twice (got \"\(topics)\")") }
    }

    func run() throws {
        let logger = Logger(label: "llm-workload.consume")
        let stop = StopSignal.installHandlers(logger: logger)
        let output: FileOutput
        do {
            output = try FileOutput(path: "-")
        } catch {
            printError("cannot write standard output: \(error)")
            throw ExitStatus.ioError.exit
        }
        var line: [UInt8] = []
        let summary: ReferenceConsumer.Summary
        do {
            summary = try ReferenceConsumer.run(
                .init(brokers: brokers, topics: topicNames, fromBeginning: fromBeginning, exitAtEnd: exitAtEnd),
                stop: stop, logger: logger
            ) { value in
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: value)
                line.append(0x0A)
                try output.write(line)
            }
        } catch let error as OutputError {
            printError("cannot write standard output: \(error)")
            throw ExitStatus.ioError.exit
        } catch {
            printError("cannot consume from \(brokers): \(error)")
            throw ExitStatus.unavailable.exit
        }
        printError("released \(summary.released) events (\(summary.watermarks) watermarks read, \(summary.waiting) events still waiting for watermarks, \(summary.lateEvents) behind their producer's watermark, \(summary.duplicateEvents) duplicates, \(summary.unreadable) unreadable records)\(summary.ended ? "; every producer's stream has ended" : "")")
    }
}
