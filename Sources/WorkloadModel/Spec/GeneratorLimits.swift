/// Bounds on what the generator holds and how far its clock runs, so that no
/// configuration can exhaust memory or wrap time.
package struct GeneratorLimits: Sendable, Equatable {
    /// Sessions open at once; opening one more ends the run (`GeneratorBound.openSessions`).
    package var maxOpenSessions: Int
    /// Requests sent and not yet arrived at the service; sending one more ends
    /// the run (`GeneratorBound.inFlightRequests`).
    package var maxInFlightRequests: Int
    /// The ceiling on `validate`'s estimate of the generator's peak memory,
    /// in MiB: a configuration estimated above it is refused before it runs.
    package var maxMemoryMiB: Int = defaultMaxMemoryMiB

    /// The defaults keep the generator's own memory well under 512 MiB
    /// (about 150 bytes per open session and 150 per request in flight).
    package static let defaultMaxOpenSessions = 1_000_000
    package static let defaultMaxInFlightRequests = 1_000_000
    package static let defaultMaxMemoryMiB = 1024

    /// The last instant the clock represents: 10^18 ns, about 31.7 years. No
    /// event is emitted later; a run that gets there ends (`GeneratorBound.virtualTime`).
    /// Far below `Int64.max`, so an anchored `time` cannot wrap either.
    package static let virtualTimeLimit: VirtualNanoseconds = 1_000_000_000_000_000_000

    package init(maxOpenSessions: Int = defaultMaxOpenSessions, maxInFlightRequests: Int = defaultMaxInFlightRequests) {
        self.maxOpenSessions = maxOpenSessions
        self.maxInFlightRequests = maxInFlightRequests
    }
}

/// Why a run ended early at one of the generator's bounds.
package enum GeneratorBound: Sendable, Equatable {
    /// A new session at `time` would have exceeded `maxOpenSessions`.
    case openSessions(limit: Int, time: VirtualNanoseconds)
    /// A request sent at `time` would have exceeded `maxInFlightRequests`.
    case inFlightRequests(limit: Int, time: VirtualNanoseconds)
    /// The next event lay beyond `GeneratorLimits.virtualTimeLimit`; the run
    /// stopped at its last event, `time`.
    case virtualTime(time: VirtualNanoseconds)

    /// A memory ceiling (a configuration error when reached), as opposed to
    /// the end of representable time (a clean end).
    package var isMemoryCeiling: Bool {
        if case .virtualTime = self { return false }
        return true
    }
}

extension WorkloadEngine {
    /// Records the first bound reached and stops the run at `time`: no send at
    /// or after it, requests on the wire still arrive (up to the time limit),
    /// open sessions end with `reason`.
    mutating func reach(_ bound: GeneratorBound, stoppingAt time: VirtualNanoseconds, reason: SessionEndReason) {
        if boundReached == nil { boundReached = bound }
        stop(at: time, reason: reason)
    }

    /// Called for a scheduled entry beyond the time limit: ends the run at the
    /// last event; the entry is dropped.
    mutating func reachTimeLimit() {
        reach(.virtualTime(time: lastTime), stoppingAt: lastTime, reason: .horizon)
    }
}
