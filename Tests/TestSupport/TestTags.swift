import Foundation
import Testing

/// The lanes. Swift 6.3's `swift test` on Linux cannot select tests by tag (its testing
/// library has no `--filter tag:`), so the fast lane is chosen by target and by an
/// environment switch:
///
///     LLM_WORKLOAD_LANE=fast swift test --skip CLITests    # unit and model tests
///     swift test                                            # everything
///
/// `CLITests` are the process tests (each spawns the binary); in the other targets the
/// suites marked ``Trait/integration`` (a broker, real time, threads and sockets, or
/// 10^6-draw statistics) are skipped when `LLM_WORKLOAD_LANE=fast`. They also carry the
/// ``Tag/integration`` tag, for IDEs and for `swift test` once it filters by tag.
package enum Lane {
    /// True when the environment asks for the fast lane.
    package static var isFast: Bool {
        ProcessInfo.processInfo.environment["LLM_WORKLOAD_LANE"] == "fast"
    }

    /// True when the environment asks for the full lane, the long suites included.
    package static var isFull: Bool {
        ProcessInfo.processInfo.environment["LLM_WORKLOAD_LANE"] == "full"
    }
}

extension Tag {
    /// Talks to a broker, waits on real time, spawns processes or draws 10^6 samples.
    @Tag package static var integration: Self
}

extension Trait where Self == ConditionTrait {
    /// Skipped in the fast lane (`LLM_WORKLOAD_LANE=fast`), with the reason.
    package static var integration: Self {
        .enabled(if: !Lane.isFast, "an integration suite: skipped in the fast lane (LLM_WORKLOAD_LANE=fast)")
    }
}

extension Tag {
    /// Draws 10^5 to 10^6 samples (or as many function evaluations) for a statistical claim.
    @Tag package static var statistics: Self
}

extension Trait where Self == ConditionTrait {
    /// Skipped in the fast lane (`LLM_WORKLOAD_LANE=fast`), with the reason: the statistics suites
    /// take most of the model tests' time, and the fast lane keeps their deterministic neighbours.
    package static var statistics: Self {
        .enabled(if: !Lane.isFast, "a statistics suite (10^5 to 10^6 draws): skipped in the fast lane (LLM_WORKLOAD_LANE=fast)")
    }
}

extension Tag {
    /// Minutes of CPU in a debug build (e.g. fitting nine configurations back from their exports).
    @Tag package static var long: Self
}

extension Trait where Self == ConditionTrait {
    /// Runs only in the full lane (`LLM_WORKLOAD_LANE=full swift test`): a suite whose CPU alone would
    /// take the default suite past its few minutes on two cores. It is skipped, with this reason, otherwise.
    package static var long: Self {
        .enabled(if: Lane.isFull, "a long suite (minutes of CPU in debug): runs with LLM_WORKLOAD_LANE=full")
    }
}
