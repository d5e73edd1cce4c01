import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Logging
import WorkloadDaemon
import WorkloadKafka

struct DevKafkaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-kafka",
        abstract: "Run librdkafka's mock cluster alone on loopback, with the topics created, until interrupted."
    )

    @Option(help: "Number of mock brokers.")
    var brokers: Int32 = 3

    @Option(help: "Partitions per topic.")
    var partitions: Int32 = 6

    @Option(help: "Topics to create.")
    var topic: [String] = ["llm.requests", "llm.sessions"]

    func validate() throws {
        if brokers < 1 { throw ValidationError("--brokers must be >= 1 (got \(brokers))") }
        if partitions < 1 { throw ValidationError("--partitions must be >= 1 (got \(partitions))") }
    }

    func run() throws {
        let logger = Logger(label: "llm-workload.dev-kafka")
        let stop = StopSignal.installHandlers(logger: logger)
        let cluster: MockCluster
        do {
            cluster = try MockCluster(brokers: brokers, logger: logger)
            for name in topic {
                try cluster.createTopic(name, partitions: partitions, replicationFactor: min(3, brokers))
            }
        } catch {
            printError("cannot start the mock cluster: \(error)")
            throw ExitStatus.software.exit
        }
        print(cluster.bootstrapServers)
        fflush(nil)  // every output stream, at once: also into a pipe (`bench --pacing-isolated` reads it)
        printError("mock Kafka cluster (\(brokers) brokers) at \(cluster.bootstrapServers); topics \(topic.joined(separator: ", ")) with \(partitions) partitions; Ctrl-C to stop")
        stop.wait()
        withExtendedLifetime(cluster) {}
    }
}
