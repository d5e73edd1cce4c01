import ArgumentParser

@main
struct LLMWorkload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-workload",
        abstract: "Generates realistic LLM-serving request streams and publishes them to Kafka.",
        subcommands: [
            GenerateCommand.self, ValidateCommand.self, SampleCommand.self, StatsCommand.self,
        ]
    )
}
