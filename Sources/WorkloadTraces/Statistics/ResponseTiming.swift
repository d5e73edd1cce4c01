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

    /// Request IDs, and the IDs later turns depend on, by number.
    var ids = StringTable()
    /// By ID number: the request's arrival and output tokens, and its
    /// completion's time (nan: no request, no completion of that ID).
    var arrivals: [Double] = []
    var outputs: [Double] = []
    var completionTimes: [Double] = []
    /// IDs with a completion event.
    var completed = 0
    /// Later turns as (their send, their dependency's ID number).
    var laterTurns: [(sentAt: Double, dependency: Int)] = []
    /// A dependency's name as `"\(session)-\(turn - 1)"` is built here.
    private var name: [UInt8] = []

    package init(assumed: (ttft: Double, tpot: Double)? = nil) {
        self.assumed = assumed
    }

    mutating func add(request event: StreamLine, time: Double) {
        guard let id = event.requestID, let session = event.sessionID, let turn = event.turn else { return }
        let index = number(json: id)
        arrivals[index] = time
        outputs[index] = event.outputTokens ?? 0
        guard turn >= 2, let sentAt = event.sentAt else { return }
        // A declared dependency wins; without one, the turn carries the previous turn's response.
        let dependency = if let last = event.dependsOnLast { number(json: last) } else { previousTurn(session, turn) }
        laterTurns.append((sentAt, dependency))
    }

    /// The number of `"\(session)-\(turn - 1)"`.
    private mutating func previousTurn(_ session: StreamLine.Text, _ turn: Int) -> Int {
        guard StringTable.isPlainASCII(session) else { return number(of: "\(StreamLine.decode(session))-\(turn - 1)") }
        name.removeAll(keepingCapacity: true)
        name.append(contentsOf: session)
        name.append(UInt8(ascii: "-"))
        name.append(contentsOf: String(turn - 1).utf8)
        let index = name.withUnsafeBufferPointer { ids.index(utf8: $0) }
        return extend(to: index)
    }

    private mutating func number(json id: StreamLine.Text) -> Int { extend(to: ids.index(json: id)) }

    private mutating func number(of id: String) -> Int { extend(to: ids.index(of: id)) }

    private mutating func extend(to index: Int) -> Int {
        if index == arrivals.count {
            arrivals.append(.nan)
            outputs.append(0)
            completionTimes.append(.nan)
        }
        return index
    }

    mutating func add(completion event: StreamLine, time: Double) {
        guard let id = event.requestID else { return }
        let index = number(json: id)
        if completionTimes[index].isNaN { completed += 1 }
        completionTimes[index] = time
    }

    /// When the response of ID number `index` completes: its completion event's time, else under the assumed service.
    func completion(of index: Int) -> Double? {
        if completed > 0 { return completionTimes[index].isNaN ? nil : completionTimes[index] }
        guard let assumed, !arrivals[index].isNaN else { return nil }
        return arrivals[index] + assumed.ttft + outputs[index] * assumed.tpot
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
        arrivals.indices.compactMap { completionTimes[$0].isNaN || arrivals[$0].isNaN ? nil : completionTimes[$0] - arrivals[$0] }
    }

    func reportLines(quantiles: ([Double]) -> String) -> [String] {
        var lines: [String] = []
        if completed > 0 {
            lines.append("completions   \(completed); response time (completion - arrival) s \(Self.seconds(responseTimes))")
        }
        guard !laterTurns.isEmpty else { return lines }
        let source: String
        if completed > 0 {
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
