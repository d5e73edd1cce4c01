import RealModule

/// `warm_start`: the run begins in steady state. The engine simulates a
/// burn-in from -B to 0 with every draw it would make in a run that began
/// at -B (arrivals, sessions, links, load); nothing before 0 is emitted.
/// The sessions still open at 0 are announced then (`session_started` at
/// time 0, with `began_at_s`), and their later turns follow from 0 on.
///
/// B is the longest a session can last, (K - 1) times the longest
/// follow-up gap of any conversational profile (its supremum, or for an
/// unbounded one its 1 - 1e-9 quantile), capped at 7 days, where K is the
/// turn limit or, when more turns than that are less likely than 1e-9, the
/// 1 - 1e-9 quantile of the turn count: a session begun before -B is still
/// open at 0 with probability below about 1e-9 (none when the gaps are
/// bounded and the limit is reached that often).
struct WarmStartState: Sendable {
    /// Announcements not yet made (set until the first entry at or after 0).
    var pending = false
    /// Sessions begun before 0 and still open, by slot: when they began.
    var began: [Int32: VirtualNanoseconds] = [:]
    /// The announcements to return, last first.
    var announcements: ContiguousArray<Event> = []
}

extension WorkloadSpec {
    /// The burn-in B of `warm_start`, in nanoseconds.
    package var burnInNanoseconds: VirtualNanoseconds {
        var longest = 0.0
        for profile in profiles where profile.mayContinue && maxTurnsPerSession > 1 {
            let turns = profile.turnCounts(maxTurns: maxTurnsPerSession).longSession
            longest = Swift.max(longest, Double(turns - 1) * profile.followUp.longGap)
        }
        // A completion-anchored session also waits for each response, the last one included.
        for (index, profile) in profiles.enumerated() where profile.followUpAfter == .completion {
            guard let model = serviceModel(ofProfile: index) else { continue }
            let response = model.longResponse(of: profile)
            let turns = profile.mayContinue ? profile.turnCounts(maxTurns: maxTurnsPerSession).longSession : 1
            longest = Swift.max(longest, Double(turns - 1) * (profile.followUp.longGap + response) + response)
        }
        let seconds = Swift.min(longest, 7 * 86_400)
        return nanoseconds(fromSeconds: seconds.isFinite ? seconds : 7 * 86_400)
    }
}

extension ServiceModel {
    /// A long response of `profile` (each part at its long value, as `longGap`
    /// takes them): TTFT, the prefill of the longest new input, the longest output.
    func longResponse(of profile: ClientProfile) -> Double {
        let input = Swift.max(profile.promptTokens.longCount, profile.newInput(ofTurn: 2).longCount)
        let output = (profile.outputTokens ?? profile.maxOutputTokens).longCount
        let prefill = prefillTokensPerSecond.map { input / $0 } ?? 0
        return timeToFirstToken.longGap + prefill + output * timePerOutputToken.longGap
    }
}

extension TurnCountDistribution {
    /// The smallest k with P(K > k) < 1e-9 (the turn limit when reaching it
    /// is likelier): a long continuation chain of small probability is cut
    /// where it stops mattering instead of at the limit.
    var longSession: Int {
        var tail = 0.0
        for index in probabilities.indices.reversed() {
            tail += probabilities[index]
            if tail >= 1e-9 { return index + 1 }
        }
        return 1
    }
}

extension Distribution {
    /// The supremum when finite, else the 1 - 1e-9 quantile (by bisection on the CDF).
    var longGap: Double {
        supremum.isFinite ? supremum : upperQuantile
    }

    /// The 1 - 1e-9 quantile, never above the supremum: for token counts, whose
    /// support is cut far out (at 10^9) rather than where the mass is.
    var longCount: Double {
        Swift.min(supremum, upperQuantile)
    }

    /// The 1 - 1e-9 quantile (by bisection on the CDF).
    var upperQuantile: Double {
        var low = Swift.max(0, infimum)
        var high = Swift.max(1, mean.isFinite ? mean : 1)
        while cdf(high) < 1 - 1e-9 && high < 1e12 { high *= 2 }
        for _ in 0..<100 where high - low > 1e-6 * high {
            let mid = (low + high) / 2
            if cdf(mid) < 1 - 1e-9 { low = mid } else { high = mid }
        }
        return high
    }
}

extension WorkloadEngine {
    /// A session began in the burn-in: remember when, unless it is over already.
    mutating func beganBeforeRun(slot: Int32, at time: VirtualNanoseconds) -> Event? {
        if sessions.storage[Int(slot)] != nil { warm.began[slot] = time }
        return nil
    }

    /// A turn sent in the burn-in: it counts for the session (tokens, turns)
    /// but is not part of the run; a session whose last turn it was is over.
    mutating func sentBeforeRun(slot: Int32) {
        requestsSent -= 1
        sessions[slot].turnsDelivered += 1
        // A completion-anchored session lasts until its last completion, which ends it.
        if sessions[slot].closingReason != nil, !profiles[Int(sessions[slot].profile)].anchoredOnCompletion {
            _ = sessions.remove(slot)
            warm.began[slot] = nil
        }
    }

    /// At time 0 (before any entry at or after it): one `session_started`
    /// per session still open, in the order they began.
    mutating func nextWarmStart() -> Event? {
        if warm.announcements.isEmpty {
            if let first = queue.first, first.time < 0 { return nil }
            let open = warm.began.keys.sorted { sessions[$0].startOrder > sessions[$1].startOrder }
            for slot in open {
                let session = sessions[slot]
                warm.announcements.append(.sessionStarted(SessionStartedEvent(
                    seq: 0, time: 0, sessionID: session.id, profile: session.profile, client: session.client,
                    conversational: session.conversational, beganAt: warm.began[slot])))
            }
            warm.began = [:]
        }
        guard let event = warm.announcements.popLast() else {
            warm.pending = false
            return nil
        }
        if warm.announcements.isEmpty { warm.pending = false }
        return emit(event)
    }
}
