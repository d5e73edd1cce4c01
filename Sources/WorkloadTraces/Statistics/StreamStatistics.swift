import Foundation

/// `stats`: summarises a JSON Lines event stream (what `generate` writes, or
/// what a consumer dumped from Kafka; watermarks are skipped).
package struct StreamStatistics: Sendable {
    package struct ProfileStats: Sendable {
        package var requests = 0
        package var sessions = 0
        package var lastSessionStart: Double?
        package var gaps: RunningMoments = .init()
    }

    package var lines = 0
    package var malformed = 0
    package var firstTime: Double?
    package var lastTime: Double?
    package var requests = 0
    package var sessionsStarted = 0
    package var sessionsEnded = 0
    package var watermarks = 0
    package var conversationalTurns = 0
    package var streaming = 0
    package var promptTokens: [Double] = []
    package var outputTokens: [Double] = []
    package var turnsPerSession: [Double] = []
    package var sessionGaps = RunningMoments()
    package var conversation = ConversationStatistics()
    /// Block reuse and the LRU cache, for streams with `hash_ids`.
    package var kvBlocks = KVBlockStatistics()
    package var tags = TagStatistics()
    /// Response times and sends before the previous response completes.
    package var responses = ResponseTiming()
    package var completions = 0
    /// Agent figures, for requests with `call_kind`.
    package var agents = AgentStatistics()
    private var lastSessionStart: Double?
    /// Profiles and end reasons by number (a name per line, not a `String`).
    private var profileNames = StringTable()
    private var profileStats: [ProfileStats] = []
    private var reasonNames = StringTable()
    private var reasonCounts: [Int] = []
    private var counts = RateCounts()

    package init() {}

    package var profiles: [String: ProfileStats] {
        Dictionary(uniqueKeysWithValues: profileStats.indices.map { (profileNames.name($0), profileStats[$0]) })
    }

    package var endReasons: [String: Int] {
        Dictionary(uniqueKeysWithValues: reasonCounts.indices.map { (reasonNames.name($0), reasonCounts[$0]) })
    }

    package var rates: WindowedRates { counts.rates(names: profileNames.name) }

    /// Adds one line of JSON; returns false if it was not an event object.
    @discardableResult
    package mutating func add(line: Data) -> Bool {
        line.withUnsafeBytes { raw in add(line: raw.bindMemory(to: UInt8.self)) }
    }

    /// Adds one line of JSON (its bytes, without the newline); returns false
    /// if it was not an event object.
    @discardableResult
    package mutating func add(line: UnsafeBufferPointer<UInt8>) -> Bool {
        lines += 1
        guard let event = StreamLine.scan(line), let type = event.type.map(EventType.init) else {
            malformed += 1
            return false
        }
        if type == .watermark {
            watermarks += 1
            return true
        }
        // A resume's marker of an interval left out: part of a stream, but no event.
        if type == .skipped { return true }
        guard let time = event.time else {
            malformed += 1
            return false
        }
        firstTime = Swift.min(firstTime ?? time, time)
        lastTime = Swift.max(lastTime ?? time, time)
        switch type {
        case .request: add(request: event, time: time, profile: profile(event))
        case .sessionStarted: addSessionStart(event, time: time, profile: profile(event))
        case .sessionEnded:
            sessionsEnded += 1
            if let turns = event.turns { turnsPerSession.append(turns) }
            let reason = event.reason.map { reasonNames.index(json: $0) } ?? reasonNames.index(of: "?")
            if reason == reasonCounts.count { reasonCounts.append(0) }
            reasonCounts[reason] += 1
            kvBlocks.end(session: event)
        case .completion:
            completions += 1
            responses.add(completion: event, time: time)
        case .watermark, .skipped, .other:
            malformed += 1
            return false
        }
        return true
    }

    /// The event's profile by number ("?" without one).
    private mutating func profile(_ event: StreamLine) -> Int {
        let index = event.profile.map { profileNames.index(json: $0) } ?? profileNames.index(of: "?")
        if index == profileStats.count {
            profileStats.append(.init())
            counts.addProfile(isEmpty: profileNames.name(index).isEmpty)
        }
        return index
    }

    mutating func add(request event: StreamLine, time: Double, profile: Int) {
        requests += 1
        profileStats[profile].requests += 1
        counts.add(request: time, profile: profile)
        if event.conversationalTurn { conversationalTurns += 1 }
        if event.streaming { streaming += 1 }
        if let prompt = event.promptTokens { promptTokens.append(prompt) }
        if let output = event.outputTokens { outputTokens.append(output) }
        conversation.add(request: event)
        kvBlocks.add(request: event)
        tags.add(request: event, time: time)
        responses.add(request: event, time: time)
        agents.add(request: event)
    }

    mutating func addSessionStart(_ event: StreamLine, time: Double, profile: Int) {
        sessionsStarted += 1
        // warm_start's announcements at 0 are sessions begun before the run, not new ones.
        if !event.beganBeforeRun { counts.add(session: time, profile: profile) }
        if let last = lastSessionStart { sessionGaps.add(time - last) }
        lastSessionStart = time
        profileStats[profile].sessions += 1
        if let last = profileStats[profile].lastSessionStart { profileStats[profile].gaps.add(time - last) }
        profileStats[profile].lastSessionStart = time
    }

    package var duration: Double { (lastTime ?? 0) - (firstTime ?? 0) }

    /// A human-readable report.
    package func report() -> String {
        var out: [String] = []
        let span = duration
        func rate(_ n: Int) -> String { span > 0 ? String(format: "%.4g/s", Double(n) / span) : "n/a" }
        func pct(_ n: Int, _ of: Int) -> String { of > 0 ? String(format: "%.2f%%", 100 * Double(n) / Double(of)) : "n/a" }
        out.append("events        \(requests + sessionsStarted + sessionsEnded + completions) (\(watermarks) watermarks, \(malformed) malformed lines skipped)")
        out.append(String(format: "duration      %.6f s (virtual)", span))
        out.append("requests      \(requests) (\(rate(requests)))")
        out.append("sessions      \(sessionsStarted) started (\(rate(sessionsStarted))), \(sessionsEnded) ended")
        out.append(String(format: "session gaps  mean %.6g s, CV %.4f", sessionGaps.mean, sessionGaps.coefficientOfVariation))
        out.append("conversational turns \(pct(conversationalTurns, requests)) of requests")
        out.append("streaming     \(pct(streaming, requests)) of requests")
        out.append("prompt tokens \(quantiles(promptTokens))")
        out.append("output tokens \(quantiles(outputTokens))")
        out.append("turns/session \(quantiles(turnsPerSession))")
        out += conversation.reportLines(quantiles: quantiles)
        out += kvBlocks.reportLines()
        out += tags.reportLines()
        out += responses.reportLines(quantiles: quantiles)
        out += agents.reportLines()
        if !endReasons.isEmpty {
            out.append("end reasons   " + endReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        out.append("per profile:")
        for (name, stats) in profiles.sorted(by: { $0.key < $1.key }) {
            let gaps = String(format: "gap mean %.6g s, CV %.4f", stats.gaps.mean, stats.gaps.coefficientOfVariation)
            out.append("  \(name): \(stats.sessions) sessions (\(rate(stats.sessions)), share \(pct(stats.sessions, sessionsStarted))), \(stats.requests) requests (\(rate(stats.requests))), \(gaps)")
        }
        out += rates.report()
        return out.joined(separator: "\n")
    }

    private func quantiles(_ values: [Double]) -> String {
        guard let summary = SampleSummary(values) else { return "none" }
        return String(format: "mean %.2f, p50 %.0f, p90 %.0f, p99 %.0f, max %.0f",
                      summary.mean, summary.p50, summary.p90, summary.p99, summary.max)
    }
}

/// Mean and variance in one pass (Welford).
package struct RunningMoments: Sendable, Equatable {
    package private(set) var count = 0
    package private(set) var mean = 0.0
    private var m2 = 0.0

    package init() {}

    package mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        m2 += delta * (value - mean)
    }

    package var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }
    package var standardDeviation: Double { variance.squareRoot() }
    package var coefficientOfVariation: Double { mean > 0 ? standardDeviation / mean : 0 }
}
