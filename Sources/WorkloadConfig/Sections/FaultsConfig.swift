import WorkloadModel
import Yams

/// `faults`: publish-time disorder for testing stream processors. The
/// generated stream (and `generate`'s output) is unchanged; only what the
/// Kafka sink sends differs. Each data event draws its fate once, from a
/// stream of its own keyed by its `seq`.
package struct FaultConfiguration: Sendable, Equatable {
    /// Published after the watermark that passed it, `lateDelay` virtual
    /// seconds after it was due (at the first watermark round at or after).
    package var lateProbability = 0.0
    package var lateDelay = Distribution(.constant(1))
    /// Published twice, back to back.
    package var duplicateProbability = 0.0
    /// Never published.
    package var dropProbability = 0.0

    package init() {}
}

extension Configuration {
    static let faultKeys = ["late", "duplicate", "drop"]

    static func readFaults(_ top: ConfigObject, reader: ConfigReader, parser: DistributionParser) -> FaultConfiguration? {
        guard let object = top.object("faults", allowed: faultKeys) else { return nil }
        var faults = FaultConfiguration()
        if let late = object.object("late", allowed: ["probability", "delay_s_dist_config"]) {
            faults.lateProbability = late.number("probability", default: nil, .probability) ?? 0
            if let node = late.required("delay_s_dist_config", "a distribution of seconds"),
               let delay = parser.parse(node, at: late.path("delay_s_dist_config"), role: .time) {
                faults.lateDelay = delay
            }
        }
        if let duplicate = object.object("duplicate", allowed: ["probability"]) {
            faults.duplicateProbability = duplicate.number("probability", default: nil, .probability) ?? 0
        }
        if let drop = object.object("drop", allowed: ["probability"]) {
            faults.dropProbability = drop.number("probability", default: nil, .probability) ?? 0
        }
        // One draw decides an event's fate, so the kinds exclude each other.
        let total = faults.lateProbability + faults.duplicateProbability + faults.dropProbability
        if total > 1 {
            reader.report(object.path("late"), "late, duplicate and drop probabilities must add up to at most 1 (got \(NumberRule.format(total)))")
        }
        return faults
    }
}
