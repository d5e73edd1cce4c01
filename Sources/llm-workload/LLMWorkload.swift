import ArgumentParser
import Logging
import WorkloadDaemon

@main
enum Entry {
    static func main() async {
        // Logs go to standard error: standard output carries the event stream.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        await LLMWorkload.main()
    }
}

struct LLMWorkload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-workload",
        abstract: "Generates realistic LLM-serving request streams and publishes them to Kafka.",
        discussion: ExitStatus.helpLine,
        subcommands: [
            RunCommand.self, GenerateCommand.self, ValidateCommand.self, SampleCommand.self, StatsCommand.self,
            DevKafkaCommand.self, BenchCommand.self, ConvertCommand.self, ConsumeCommand.self, FitCommand.self,
            ServiceModelCommand.self,
        ]
    )
}
