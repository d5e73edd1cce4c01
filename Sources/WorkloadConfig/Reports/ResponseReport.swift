import Foundation
import WorkloadModel

/// `validate`'s lines for a service model: per profile the modeled response
/// time, and for a send-anchored profile a warning with the share of later
/// turns sent before the previous response would complete.
extension Configuration {
    var responseReport: [String] {
        guard let figures = workload.responseFigures() else { return [] }
        var lines = ["responses (service model; simulated: \(figures.simulatedRequests) requests, fixed seed):"]
        for (index, profile) in workload.profiles.enumerated() {
            guard let f = figures.profiles[index] else {
                lines.append("  \(profile.name): no service model")
                continue
            }
            var line = String(format: "  %@: follow_up_after %@; response time (completion - arrival) mean %.4g s, p50 %.4g s, p99 %.4g s",
                              profile.name, profile.followUpAfter.rawValue, f.meanSeconds, f.p50Seconds, f.p99Seconds)
            if profile.followUpAfter == .send, let share = f.earlyShare {
                line += String(format: "\n    warning: %.2f%% of later turns (%d of %d) are sent before the previous response would complete; "
                                + "follow_up_after: completion times them from it", 100 * share, f.sentEarly, f.laterTurns)
            }
            lines.append(line)
        }
        return lines
    }
}
