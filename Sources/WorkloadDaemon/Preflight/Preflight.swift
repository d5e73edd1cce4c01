import Foundation
import WorkloadKafka
import WorkloadModel
import WorkloadConfig

/// Everything `run` would otherwise find out only after start-up, checked
/// on a loaded configuration without connecting to anything: addresses and
/// ports, topic names, librdkafka's verdict on its properties, and the load
/// the workload puts on its links and on the generator's memory.
///
/// `validate`, `generate` and the daemon all call `Preflight.check` (the
/// daemon once, at start-up), so they can never disagree about a configuration.
package struct Preflight: Sendable {
    /// Errors: the configuration must not run (exit 78).
    package private(set) var problems: [ConfigProblem] = []
    /// Worth saying, not fatal: a link above 80% or memory above half its limit.
    package private(set) var warnings: [ConfigProblem] = []
    package let figures: WorkloadFigures
    package let capacity: CapacityFigures
    package let limits: GeneratorLimits
    package let memory: MemoryEstimate

    /// Runs every check on `configuration`.
    package init(_ configuration: Configuration) {
        figures = configuration.workload.figures
        capacity = configuration.workload.capacityFigures(figures)
        limits = configuration.workload.limits
        memory = MemoryEstimate(configuration.workload, capacity: capacity)
        checkKafka(configuration.kafka)
        problems += configuration.feedbackProblems
        if let complaint = ListenAddress.problem(configuration.metrics.listen) {
            problems.append(ConfigProblem(path: "metrics.listen", message: complaint))
        }
        checkCapacity(configuration.workload)
        checkBurnIn(configuration.workload)
        checkMemory()
    }

    /// The preflight of `configuration`, or the error listing every problem.
    package static func check(_ configuration: Configuration) throws(ConfigError) -> Preflight {
        let preflight = Preflight(configuration)
        guard preflight.problems.isEmpty else {
            throw ConfigError(source: configuration.source, problems: preflight.problems)
        }
        return preflight
    }

    private mutating func checkKafka(_ kafka: KafkaConfiguration) {
        for complaint in BrokerList.problems(kafka.brokers) {
            problems.append(ConfigProblem(path: "kafka.brokers", message: complaint))
        }
        var topics = [("kafka.topics.requests", kafka.topics.requests), ("kafka.topics.sessions", kafka.topics.sessions)]
        if kafka.topics.carriesCompletions { topics.append(("kafka.topics.completions", kafka.topics.completions)) }
        for (path, name) in topics {
            if let complaint = TopicName.problem(name) { problems.append(ConfigProblem(path: path, message: complaint)) }
        }
        for (index, (path, name)) in topics.enumerated() {
            for (earlierPath, earlier) in topics[..<index] where !earlier.isEmpty && TopicName.collide(earlier, name) {
                let how = earlier == name ? "must differ from" : "must not differ only in '.' versus '_' from"
                problems.append(ConfigProblem(path: path, message: "\(how) \(earlierPath) (got \(name) and \(earlier))"))
            }
        }
        let producer = ProducerConfiguration(bootstrapServers: kafka.brokers, properties: kafka.librdkafka)
        for problem in producer.propertyProblems() {
            if let name = problem.property {
                problems.append(ConfigProblem(path: "kafka.librdkafka.\(name)", message: "librdkafka: \(problem.message) (got \(kafka.librdkafka[name] ?? ""))"))
            } else {
                problems.append(ConfigProblem(path: "kafka.librdkafka", message: "librdkafka: \(problem.message)"))
            }
        }
    }

    private mutating func checkCapacity(_ spec: WorkloadSpec) {
        for link in capacity.links where link.requestRate > 0 {
            let path = link.ownerProfile.map { "workload.client_profiles[\($0)].network" } ?? "workload.network"
            let figure = "\(Self.format(link.requestRate)) requests/s x \(Self.format(link.meanPayloadBytes)) bytes x 8 / \(Self.format(link.bandwidthBitsPerSecond)) bps"
            if !(link.utilisation < 1) {
                problems.append(ConfigProblem(path: path, message: "link saturated: utilisation \(Self.format(link.utilisation)) (\(figure)); its first-in first-out queue would grow without bound: raise bandwidth_bps or lower the load"))
            } else if link.utilisation > ConfigBounds.utilisationWarning {
                warnings.append(ConfigProblem(path: path, message: "link utilisation \(Self.format(link.utilisation)) (\(figure)) is above \(ConfigBounds.utilisationWarning): requests will queue on it"))
            }
        }
        checkCeiling("workload.limits.max_open_sessions", expected: capacity.expectedOpenSessions,
                     limit: spec.limits.maxOpenSessions, what: "open sessions")
        checkCeiling("workload.limits.max_in_flight_requests", expected: capacity.expectedInFlightRequests,
                     limit: spec.limits.maxInFlightRequests, what: "requests in flight")
    }

    /// `warm_start` simulates its burn-in before the first event: a burn-in
    /// beyond `ConfigBounds.burnInEvents` (a second or two) is refused.
    private mutating func checkBurnIn(_ spec: WorkloadSpec) {
        guard spec.warmStart, !spec.profiles.isEmpty else { return }
        let seconds = Double(spec.burnInNanoseconds) / 1e9
        let events = seconds * figures.sessionRate * (2 + figures.meanTurnsPerSession)
        if !(events <= ConfigBounds.burnInEvents) {
            problems.append(ConfigProblem(path: "workload.warm_start", message: "the burn-in of \(Self.format(seconds)) s would simulate about \(Self.format(events)) events before the first one (limit \(Self.format(ConfigBounds.burnInEvents))); lower max_turns_per_session, the continuation probability or the follow-up gap, or set warm_start: false"))
        }
    }

    private mutating func checkMemory() {
        let limit = Double(limits.maxMemoryMiB)
        if !(memory.totalMiB <= limit) {
            problems.append(ConfigProblem(path: "workload.limits.max_memory_mib", message: "estimated peak memory \(Self.format(memory.totalMiB)) MiB (\(memory.breakdown)) is above the limit \(limits.maxMemoryMiB) MiB; raise it, or lower what dominates"))
        }
    }

    private mutating func checkCeiling(_ path: String, expected: Double, limit: Int, what: String) {
        let limitText = "limit \(limit)"
        if !(expected < Double(limit)) {
            let value = expected.isNaN ? "undefined" : Self.format(expected)
            let why = expected.isFinite ? "" : " (a follow-up gap with an infinite mean keeps sessions open without bound)"
            problems.append(ConfigProblem(path: path, message: "expected \(what) \(value) reach the \(limitText)\(why); raise it, or lower the arrival rate, the session length or the latency"))
        } else if expected > Double(limit) * ConfigBounds.limitWarningShare {
            warnings.append(ConfigProblem(path: path, message: "expected \(what) \(Self.format(expected)) are above half the \(limitText): a burst may reach it and stop the run"))
        }
    }

    /// The figures `validate` prints after the per-profile table.
    package var report: String {
        var lines = ["links (utilisation = requests/s x mean payload x 8 / bandwidth; rejected at >= 1, warned above \(ConfigBounds.utilisationWarning)):"]
        for link in capacity.links where !(link.ownerProfile == nil && link.profiles.isEmpty) {
            let name = link.ownerProfile.map { "client_profiles[\($0)].network" } ?? "workload.network"
            lines.append("  \(name): utilisation \(Self.format(link.utilisation)), \(Self.format(link.requestRate)) requests/s x \(Self.format(link.meanPayloadBytes)) bytes x 8 / \(Self.format(link.bandwidthBitsPerSecond)) bps")
        }
        lines.append("expected open sessions: \(Self.format(capacity.expectedOpenSessions)) (limit \(limits.maxOpenSessions))")
        lines.append("expected requests in flight: \(Self.format(capacity.expectedInFlightRequests)) (limit \(limits.maxInFlightRequests))")
        lines.append("estimated peak memory: \(Self.format(memory.totalMiB)) MiB (limit \(limits.maxMemoryMiB)): \(memory.breakdown)")
        return lines.joined(separator: "\n")
    }

    /// Four significant digits, `infinite` for infinity.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : "infinite" }
        return String(format: "%.4g", value)
    }
}
