import WorkloadModel

extension GeneratorLimits {
    static let keys = ["max_open_sessions", "max_in_flight_requests", "max_memory_mib"]
}

extension Configuration {
    /// `workload.limits`: the generator's memory ceilings.
    static func readLimits(_ object: ConfigObject) -> GeneratorLimits {
        var limits = GeneratorLimits()
        let rule = NumberRule.within(ConfigBounds.generatorLimit)
        limits.maxOpenSessions = object.integer("max_open_sessions", default: limits.maxOpenSessions, rule) ?? limits.maxOpenSessions
        limits.maxInFlightRequests = object.integer("max_in_flight_requests", default: limits.maxInFlightRequests, rule) ?? limits.maxInFlightRequests
        limits.maxMemoryMiB = object.integer("max_memory_mib", default: limits.maxMemoryMiB, .within(ConfigBounds.memoryMiB)) ?? limits.maxMemoryMiB
        return limits
    }
}

extension GeneratorBound {
    /// The key whose ceiling was reached, and what happened, for the operator.
    package var message: String {
        switch self {
        case .openSessions(let limit, let time):
            return "workload.limits.max_open_sessions: \(limit) sessions open at virtual time \(Double(time) / 1e9) s; the run was stopped there (raise the limit, or lower the arrival rate or session length)"
        case .inFlightRequests(let limit, let time):
            return "workload.limits.max_in_flight_requests: \(limit) requests in flight at virtual time \(Double(time) / 1e9) s; the run was stopped there (raise the limit or the link's bandwidth_bps, or lower latency_s or the load)"
        case .virtualTime(let time):
            return "virtual time reached the clock's bound of \(Double(GeneratorLimits.virtualTimeLimit) / 1e9) s; the run ended at \(Double(time) / 1e9) s"
        }
    }
}
