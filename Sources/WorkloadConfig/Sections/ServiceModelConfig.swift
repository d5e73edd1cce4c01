import WorkloadModel
import Yams

/// `service_model` (workload-wide and per profile) and a profile's
/// `follow_up_after`.
extension Configuration {
    static let serviceModelKeys = ["ttft_s_dist_config", "tpot_s_dist_config", "prefill_tokens_per_s", "emit_completions"]
    static let serviceProfileKeys = ["service_model", "follow_up_after"]

    /// A `service_model` mapping at `key` of `object`; nil when absent or bad
    /// (every problem reported).
    static func serviceModel(_ object: ConfigObject, reader: ConfigReader, parser: DistributionParser) -> ServiceModel? {
        guard let model = object.object("service_model", allowed: serviceModelKeys) else { return nil }
        let before = reader.problems.count
        func time(_ key: String, _ what: String) -> Distribution? {
            guard let node = model.required(key, what) else { return nil }
            let path = model.path(key)
            guard let distribution = parser.parse(node, at: path, role: .time) else { return nil }
            // Like the other time distributions: a finite mean (the clock counts nanoseconds).
            guard distribution.mean.isFinite else {
                reader.report(path, "mean must be finite (got \(distribution.mean) s)")
                return nil
            }
            return distribution
        }
        let ttft = time("ttft_s_dist_config", "a distribution of seconds to the first token")
        let tpot = time("tpot_s_dist_config", "a distribution of seconds per output token")
        let prefill = model.optionalNumber("prefill_tokens_per_s", .within(ConfigBounds.prefillTokensPerSecond))
        let emit = model.bool("emit_completions", default: false)
        guard reader.problems.count == before, let ttft, let tpot else { return nil }
        return ServiceModel(timeToFirstToken: ttft, timePerOutputToken: tpot, prefillTokensPerSecond: prefill, emitCompletions: emit)
    }

    /// A profile's `follow_up_after` (default `send`).
    static func followUpAnchor(_ object: ConfigObject, reader: ConfigReader) -> FollowUpAnchor {
        guard let node = object["follow_up_after"], let name = reader.string(node, at: object.path("follow_up_after")) else { return .send }
        if let anchor = FollowUpAnchor(rawValue: name) { return anchor }
        let names = FollowUpAnchor.allCases.map(\.rawValue)
        reader.report(object.path("follow_up_after"), "must be \(names.joined(separator: " or ")) (got \(name))\(KeySuggestion.hint(for: name, in: names))")
        return .send
    }

    /// A completion-anchored profile needs a service model to time its responses.
    static func checkServiceModels(_ spec: WorkloadSpec, reader: ConfigReader) {
        for (index, profile) in spec.profiles.enumerated() where profile.followUpAfter == .completion && spec.serviceModel(ofProfile: index) == nil {
            reader.report("workload.client_profiles[\(index)].follow_up_after",
                          "completion needs a service_model (workload.service_model or the profile's own) to time the responses of profile '\(profile.name)' (got completion without one)")
        }
    }
}
