import Foundation

/// `stats` figures of responses: the response times of a stream with
/// `completion` events, the think times of completion-anchored turns, and
/// the share of later turns sent before the response they carry could have
/// completed (exactly from `completion` events, or under an assumed
/// service: first token `ttft` seconds after arrival, `tpot` seconds per
/// output token).
package struct ResponseTiming: Sendable {
    /// An assumed service for streams without `completion` events.
    package var assumed: (ttft: Double, tpot: Double)?

    struct Request: Sendable {
        var arrival: Double
        var output: Double
    }

    /// Requests by ID; later turns as (their send, their dependency's ID).
    var requests: [String: Request] = [:]
    var laterTurns: [(sentAt: Double, dependency: String)] = []
    /// Completion times by request ID.
    var completions: [String: Double] = [:]

    package init(assumed: (ttft: Double, tpot: Double)? = nil) {
        self.assumed = assumed
    }

    mutating func add(request event: StreamLine, time: Double) {
        guard let id = event.requestID, let session = event.sessionID, let turn = event.turn else { return }
        requests[id] = Request(arrival: time, output: event.outputTokens ?? 0)
        guard turn >= 2, let sentAt = event.sentAt else { return }
        // A declared dependency wins; without one, the turn carries the previous turn's response.
        let dependency = event.dependsOnLast ?? "\(session)-\(turn - 1)"
        laterTurns.append((sentAt, dependency))
    }

    mutating func add(completion event: StreamLine, time: Double) {
        guard let id = event.requestID else { return }
        completions[id] = time
    }

    /// When `id`'s response completes: its completion event's time, else under the assumed service.
    func completion(of id: String) -> Double? {
        if !completions.isEmpty { return completions[id] }
        guard let assumed, let request = requests[id] else { return nil }
        return request.arrival + assumed.ttft + request.output * assumed.tpot
    }

    /// Later turns whose dependency's completion is known, and those sent before it.
    package var earlySends: (early: Int, of: Int) {
        var early = 0, known = 0
        for turn in laterTurns {
            guard let done = completion(of: turn.dependency) else { continue }
            known += 1
            if turn.sentAt < done { early += 1 }
        }
        return (early, known)
    }

    /// Completion minus arrival, per completed request of the stream.
    var responseTimes: [Double] {
        completions.compactMap { id, time in requests[id].map { time - $0.arrival } }
    }

    func reportLines(quantiles: ([Double]) -> String) -> [String] {
        var lines: [String] = []
        if !completions.isEmpty {
            lines.append("completions   \(completions.count); response time (completion - arrival) s \(Self.seconds(responseTimes))")
        }
        guard !laterTurns.isEmpty else { return lines }
        let source: String
        if !completions.isEmpty {
            source = "from the completion events"
        } else if let assumed {
            source = "assuming TTFT \(assumed.ttft) s, TPOT \(assumed.tpot) s per output token"
        } else {
            lines.append("early sends   n/a: no completion events (give --assume-ttft and --assume-tpot to assume a service)")
            return lines
        }
        let (early, known) = earlySends
        let share = known > 0 ? String(format: "%.2f%%", 100 * Double(early) / Double(known)) : "n/a"
        lines.append("early sends   \(early) of \(known) later turns (\(share)) sent before the previous response completes, \(source)")
        return lines
    }

    static func seconds(_ values: [Double]) -> String {
        guard let summary = SampleSummary(values) else { return "none" }
        return String(format: "mean %.4g, p50 %.4g, p99 %.4g, max %.4g", summary.mean, summary.p50, summary.p99, summary.max)
    }
}
