import ArgumentParser
import WorkloadDaemon

/// Options shared by the commands that run a configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Configuration file (YAML).")
    var config: String

    @Option(help: "Virtual seconds to generate (overrides workload.total_duration).")
    var duration: Double?

    @Option(help: "Request events to generate (overrides workload.total_requests_to_generate).")
    var requests: Int?

    @Option(help: "Random seed (overrides workload.random_seed).")
    var seed: UInt64?

    func validate() throws {
        if let duration, !(duration > 0 && duration <= 1e9) {
            throw ValidationError("--duration must be > 0 and at most 1e9 virtual seconds (got \(duration))")
        }
        if let requests, requests < 1 {
            throw ValidationError("--requests must be >= 1 (got \(requests))")
        }
    }

    /// The configuration with the command-line overrides applied.
    func load() throws(ExitCode) -> Configuration {
        do {
            var configuration = try Configuration.load(path: config)
            configuration.override(duration: duration, requests: requests, seed: seed)
            return configuration
        } catch {
            throw configFailure(error)
        }
    }
}
