import Foundation
import WorkloadModel

extension Distribution {
    /// A YAML flow mapping that loads back to the same distribution (LogNormal
    /// in its log-space form, bounds and rounding spelled out).
    package var yamlFlow: String {
        var fields: [String]
        switch family {
        case .exponential(let rate): fields = ["type: Exponential", "rate: \(n(rate))"]
        case .gamma(let shape, let scale): fields = ["type: Gamma", "shape: \(n(shape))", "scale: \(n(scale))"]
        case .weibull(let shape, let scale): fields = ["type: Weibull", "shape: \(n(shape))", "scale: \(n(scale))"]
        case .logNormal(let mu, let sigma): fields = ["type: LogNormal", "mu: \(n(mu))", "sigma: \(n(sigma))"]
        case .pareto(let shape, let scale): fields = ["type: Pareto", "shape: \(n(shape))", "scale: \(n(scale))"]
        case .uniform(let low, let high): fields = ["type: Uniform", "low: \(n(low))", "high: \(n(high))"]
        case .normal(let mean, let std): fields = ["type: Normal", "mean: \(n(mean))", "std: \(n(std))"]
        case .constant(let value): fields = ["type: Constant", "value: \(n(value))"]
        case .mixture(let components, let weights):
            fields = ["type: Mixture", "components: [\(components.map(\.yamlFlow).joined(separator: ", "))]",
                      "weights: [\(weights.map(n).joined(separator: ", "))]"]
        case .logUniform(let low, let high): fields = ["type: LogUniform", "low: \(n(low))", "high: \(n(high))"]
        case .histogram(let law):
            fields = ["type: Histogram", "edges: [\(law.knots.map(n).joined(separator: ", "))]",
                      "weights: [\(law.segmentMasses.map(n).joined(separator: ", "))]"]
        case .quantiles(let law):
            let points = zip(law.levels, law.knots).map { "[\(n($0.0)), \(n($0.1))]" }
            fields = ["type: Quantiles", "points: [\(points.joined(separator: ", "))]"]
        case .zipf(let law): fields = ["type: Zipf", "s: \(n(law.exponent))", "n: \(n(law.count))"]
        }
        if isInt { fields.append("is_int: true") }
        if let min { fields.append("min: \(n(min))") }
        if let max { fields.append("max: \(n(max))") }
        return "{\(fields.joined(separator: ", "))}"
    }
}

extension ServiceModel {
    /// A YAML flow mapping that loads back to the same model.
    package var yamlFlow: String {
        var fields = ["ttft_s_dist_config: \(timeToFirstToken.yamlFlow)", "tpot_s_dist_config: \(timePerOutputToken.yamlFlow)"]
        if let rate = prefillTokensPerSecond { fields.append("prefill_tokens_per_s: \(n(rate))") }
        fields.append("emit_completions: \(emitCompletions)")
        return "{\(fields.joined(separator: ", "))}"
    }
}

private func n(_ value: Double) -> String {
    if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

extension Configuration {
    /// The configuration with every default filled in, as YAML that loads back.
    package var effectiveYAML: String {
        let w = workload
        var lines = ["workload:"]
        lines.append("  total_duration: \(w.totalDuration.map(n) ?? "null")")
        lines.append("  total_requests_to_generate: \(w.totalRequests.map(String.init) ?? "null")")
        lines.append("  random_seed: \(w.seed)\(seedWasChosen ? "   # chosen at random: no random_seed was given" : "")")
        lines.append("  run_id: \(runID)")
        lines.append("  max_turns_per_session: \(w.maxTurnsPerSession)")
        lines.append("  accumulate_conversational_tokens: \(w.accumulateConversationalTokens)")
        lines.append("  bytes_per_token_estimate_for_network: \(n(w.bytesPerToken))")
        lines.append("  arrival_mode: \(w.arrivalMode.rawValue)")
        lines.append("  network: {latency_s: \(n(w.network.latencySeconds)), bandwidth_bps: \(n(w.network.bandwidthBitsPerSecond))}")
        lines.append("  limits: {max_open_sessions: \(w.limits.maxOpenSessions), max_in_flight_requests: \(w.limits.maxInFlightRequests), max_memory_mib: \(w.limits.maxMemoryMiB)}")
        lines.append("  load: \(w.load?.yamlFlow ?? "null")")
        lines.append("  warm_start: \(w.warmStart)")
        if let model = w.serviceModel { lines.append("  service_model: \(model.yamlFlow)") }
        lines += prefixPoolsYAML
        lines.append("  client_profiles:")
        for p in w.profiles {
            lines.append("    - profile_name: \(p.name)")
            lines.append("      weight: \(n(p.weight))")
            lines.append("      inter_arrival_time_dist_config: \(p.interArrival.yamlFlow)")
            lines.append("      prompt_tokens_dist_config: \(p.promptTokens.yamlFlow)")
            lines.append("      max_output_tokens_dist_config: \(p.maxOutputTokens.yamlFlow)")
            lines.append("      output_tokens_dist_config: \(p.outputTokens?.yamlFlow ?? "null")   # null: equal to max_output_tokens")
            lines.append("      user_priority_dist_config: \(p.priority.yamlFlow)")
            lines.append("      follow_up_inter_arrival_time_dist_config: \(p.followUp.yamlFlow)")
            lines.append("      conversational_probability: \(n(p.conversationalProbability))")
            lines.append("      streaming_response_probability: \(n(p.streamingProbability))")
            if let list = p.conversation.continuationByDepth {
                lines.append("      continuation_probability: [\(list.map(n).joined(separator: ", "))]   # after turn 2, 3, ...; the last repeats")
            } else {
                lines.append("      continuation_probability: \(n(p.continuationProbability))")
            }
            lines += conversationYAML(p)
            lines.append("      num_clients: \(p.numClients)")
            if p.followUpAfter != .send { lines.append("      follow_up_after: \(p.followUpAfter.rawValue)") }
            if let model = p.serviceModel { lines.append("      service_model: \(model.yamlFlow)") }
            lines += prefixesYAML(p)
            lines += routingTagsYAML(p)
            if let load = p.load { lines.append("      load: \(load.yamlFlow)") }
            if let link = p.network {
                lines.append("      network: {latency_s: \(n(link.latencySeconds)), bandwidth_bps: \(n(link.bandwidthBitsPerSecond))}")
            } else {
                lines.append("      network: null   # shares workload.network")
            }
        }
        let speed = clock.speed.map(n) ?? "max"
        let start = clock.startUnixNanoseconds.map { s -> String in
            var writer = ByteWriter(capacity: 32)
            writer.append(rfc3339: s)
            return String(decoding: writer.bytes, as: UTF8.self)
        } ?? "now"
        lines.append("clock: {mode: \(clock.mode.rawValue), speed: \(speed), start: \(start), watermark_interval_s: \(n(clock.watermarkIntervalSeconds))}")
        lines.append("kafka:")
        lines.append("  brokers: \"\(kafka.brokers)\"")
        let completions = kafka.topics.carriesCompletions ? ", completions: \(kafka.topics.completions)" : ""
        lines.append("  topics: {requests: \(kafka.topics.requests), sessions: \(kafka.topics.sessions)\(completions)}")
        let props = kafka.librdkafka.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }
        lines.append("  librdkafka: {\(props.joined(separator: ", "))}")
        lines.append("  embedded_partitions: \(kafka.embeddedPartitions)")
        lines.append("  flush_timeout_s: \(n(kafka.flushTimeoutSeconds))")
        lines += recordOptionsYAML
        if let create = kafka.createTopics {
            lines.append("  create_topics: {partitions: \(create.partitions), replication_factor: \(create.replicationFactor)}")
        }
        lines.append("metrics: {listen: \"\(metrics.listen)\", \(metrics.health.effectiveText)}")
        return lines.joined(separator: "\n")
    }

    /// Derived figures per profile, as `validate` prints them.
    package var figuresReport: String {
        let f = workload.figures
        var lines = [String(format: "expected: %.6g new sessions/s, %.6g requests/s, %.4g turns/session",
                            f.sessionRate, f.requestRate, f.meanTurnsPerSession)]
        let header = ["profile", "share", "sessions/s", "requests/s", "turns", "prompt(t1)", "prompt(all)", "output", "gap mean s"]
        var rows = [header]
        for p in f.profiles {
            rows.append([p.name, String(format: "%.4f", p.share), String(format: "%.6g", p.sessionRate),
                         String(format: "%.6g", p.requestRate), String(format: "%.4f", p.meanTurnsPerSession),
                         String(format: "%.2f", p.meanFirstTurnPromptTokens), String(format: "%.2f", p.meanPromptTokensPerRequest),
                         String(format: "%.2f", p.meanOutputTokens), String(format: "%.6g", p.meanInterArrivalSeconds)])
        }
        lines += Self.table(rows)
        if workload.warmStart {
            lines.append(String(format: "warm_start: burn-in of %.6g s before 0; the run begins in steady state", Double(workload.burnInNanoseconds) / 1e9))
        }
        return (lines + conversationReport + loadReport + prefixReport + routingTagsReport + responseReport + agentReport).joined(separator: "\n")
    }
}
