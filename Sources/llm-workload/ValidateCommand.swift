import ArgumentParser
import WorkloadDaemon

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a configuration; print it with defaults filled in and its derived figures."
    )

    @Option(name: .shortAndLong, help: "Configuration file (YAML).")
    var config: String

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try Configuration.load(path: config)
        } catch {
            throw configFailure(error)
        }
        print("# \(config): valid")
        if let replay = configuration.replay {
            try validateReplay(replay)
            return
        }
        print(configuration.effectiveYAML)
        print("")
        print(configuration.figuresReport)
    }
}
