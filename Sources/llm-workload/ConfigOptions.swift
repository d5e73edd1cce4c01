import ArgumentParser
import WorkloadDaemon
import WorkloadConfig

/// Options shared by the commands that run a configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Configuration file (YAML).")
    var config: String

    @Option(help: "Virtual seconds to generate (overrides workload.total_duration).")
    var duration: Double?

    @Option(help: "Request events to generate (overrides workload.total_requests_to_generate).")
    var requests: Int?

    @Option(parsing: .unconditional, help: "Random seed, a non-negative integer (overrides workload.random_seed).")
    var seed: String?

    func validate() throws {
        if let duration, !(duration > 0 && duration <= 1e9) {
            throw ValidationError("--duration must be > 0 and at most 1e9 virtual seconds (got \(duration))")
        }
        if let requests, requests < 1 {
            throw ValidationError("--requests must be >= 1 (got \(requests))")
        }
        if let seed { _ = try SeedArgument.parse(seed) }
    }

    /// The configuration with the command-line overrides applied (these and a command's own, `also`).
    func load(also overrides: ConfigurationOverrides = ConfigurationOverrides()) throws(ExitCode) -> Configuration {
        do {
            var configuration = try Configuration.load(path: config)
            var overrides = overrides
            overrides.duration = duration
            overrides.requests = requests
            overrides.seed = seed.flatMap { try? SeedArgument.parse($0) }
            configuration.override(overrides)
            return configuration
        } catch {
            throw configFailure(error)
        }
    }
}

/// `--seed`: read as text, so that a negative number reaches this check
/// instead of being taken for an option ("Missing value").
enum SeedArgument {
    static func parse(_ text: String) throws -> UInt64 {
        guard let seed = UInt64(text) else {
            throw ValidationError("--seed must be a non-negative integer up to \(UInt64.max) (got \(text))")
        }
        return seed
    }
}
