import ArgumentParser
import Foundation
import Logging
import WorkloadConfig
import WorkloadDaemon

struct ServiceModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-model",
        abstract: "Serve the requests topic with the configuration's service_model and publish completions: the reference service of the closed loop (a test double and a demo, not a simulator).",
        discussion: """
            Reads the requests topic (kafka.topics.requests) with the watermark rule, as consume does, and \
            serves each request in (time_s, seq) order, first come first served on N replicas: it starts on \
            the first replica that frees up, then takes TTFT (+ uncached prompt / prefill rate) + output x TPOT \
            from service_model, drawn from the request's own identity. Publishes a completion record per \
            request to feedback.topic (default llm.completions), keyed by session ID, and its watermarks. \
            Stops once every request producer's stream has ended. Exit status: 0; 64 usage; 69 Kafka \
            unreachable; 78 configuration.
            """
    )

    @Option(help: "Bootstrap servers, host:port,...")
    var brokers: String

    @Option(name: .shortAndLong, help: "Configuration file (YAML): its service_model, topics and feedback.topic.")
    var config: String

    @Option(help: "Replicas, each serving one request at a time.")
    var replicas = 1

    @Flag(help: "Read the requests topic from each partition's first record (default: only what arrives from now on).")
    var fromBeginning = false

    @Option(help: "Share of requests never answered, drawn per request (a service that drops them).")
    var dropFraction = 0.0

    func validate() throws {
        if let complaint = BrokerList.problems(brokers).first { throw ValidationError("--brokers: \(complaint)") }
        if !(1...100_000).contains(replicas) { throw ValidationError("--replicas must be from 1 to 100000 (got \(replicas))") }
        if !(dropFraction >= 0 && dropFraction < 1) { throw ValidationError("--drop-fraction must be >= 0 and < 1 (got \(dropFraction))") }
    }

    func run() throws {
        let logger = Logger(label: "llm-workload.service-model")
        let configuration: Configuration
        do {
            configuration = try Configuration.load(path: config)
        } catch {
            printError(error.description)
            throw ExitStatus.config.exit
        }
        guard configuration.workload.profiles.indices.contains(where: { configuration.workload.serviceModel(ofProfile: $0) != nil }) else {
            printError("\(config): service_model: missing (the reference service times requests with it; got no service_model)")
            throw ExitStatus.config.exit
        }
        let stop = StopSignal.installHandlers(logger: logger)
        var runner = ServiceModelRunner(
            configuration: configuration,
            options: .init(brokers: brokers, replicas: replicas, fromBeginning: fromBeginning, dropFraction: dropFraction),
            logger: logger)
        let summary: ServiceModelRunner.Summary
        do {
            summary = try runner.run(stop: stop)
        } catch {
            printError("cannot serve from \(brokers): \(error)")
            throw ExitStatus.unavailable.exit
        }
        printError("served \(summary.requests) requests: \(summary.completions) completions, \(summary.dropped) dropped, \(summary.unreadable) unreadable records, \(summary.watermarks) watermarks\(summary.ended ? "; every request producer's stream has ended" : "")")
    }
}
