import ArgumentParser
import WorkloadDaemon
import WorkloadConfig

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a configuration as run would; print it with defaults filled in, its derived figures, link utilisation and expected open sessions."
    )

    @Option(name: .shortAndLong, help: "Configuration file (YAML).")
    var config: String

    func run() throws {
        let configuration: Configuration
        let preflight: Preflight
        do {
            configuration = try Configuration.load(path: config)
            // The same start-up check `run` makes, so the two never disagree.
            preflight = try Preflight.check(configuration)
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
        print(preflight.report)
        for warning in preflight.warnings { printError("warning: \(warning)") }
    }
}
