import WorkloadModel
import WorkloadConfig

/// The requests of a trace or of a generated stream, as `fit` compares
/// them: send times from 0, token counts, sessions, turns and block IDs.
package struct RequestSample: Sendable {
    package var times: [Double] = []
    package var prompt: [Double] = []
    package var output: [Double] = []
    /// A session index per request (0 ..< sessions).
    package var session: [Int] = []
    /// 1 for a session's first request in the sample.
    package var turn: [Int] = []
    /// Block IDs of request i: `blockIDs[blockStart[i] ..< blockStart[i + 1]]` (empty without hash_ids).
    package var blockIDs: [UInt64] = []
    package var blockStart: [Int] = [0]
    package var hasBlocks = false
    /// The span the figures are taken over (seconds from 0).
    package var span: Double = 0
    /// Requests per model name (BurstGPT's `Model` column); empty without one.
    package var models: [String: Int] = [:]
    /// Response times, where the trace gives them (our stream with `completion` events).
    package var service: ServiceSample?

    package init() {}

    package var count: Int { times.count }

    mutating func append(time: Double, prompt: Int64, output: Int64, session: Int, turn: Int) {
        times.append(time)
        self.prompt.append(Double(prompt))
        self.output.append(Double(output))
        self.session.append(session)
        self.turn.append(turn)
    }

    mutating func closeBlocks() { blockStart.append(blockIDs.count) }

    func blocks(of index: Int) -> ArraySlice<UInt64> { blockIDs[blockStart[index]..<blockStart[index + 1]] }
}

extension RequestSample {
    /// Reads a trace: sessions from the trace's own session IDs, or for
    /// Mooncake-style hash_ids from the chain rule of `ChainSessions` (the
    /// replay's, kept from merging sessions that share a family prefix, and
    /// following turns cut to a context window the prompts pile at).
    package static func read(path: String, format: TraceFormat, skipBadRows: Bool) throws(TraceError) -> (sample: RequestSample, reader: TraceReader, blockTokens: Int64?) {
        let reader = try TraceReader(path: path, format: format, skipBadRows: skipBadRows)
        reader.countsModels = true
        var rows: [TraceRow] = []
        while let row = try reader.next() { rows.append(row) }
        let blockTokens = BlockSizeInference.blockTokens(rows)
        var sample = RequestSample()
        // Rows without a session key but with hash_ids: sessions by the chain rule.
        let window = ContextWindow.detect(rows.map(\.promptTokens))
        let chained = rows.contains(where: { $0.sessionKey == nil && $0.hashIDs != nil })
            ? blockTokens.map { ChainSessions(blockTokens: $0, window: window).sessions(rows) } : nil
        var chainSession: [Int: Int] = [:]
        var keyed: [UInt64: Int] = [:]
        var turns: [Int] = []
        let first = rows[0].timestamp
        for (index, row) in rows.enumerated() {
            var session: Int
            if let key = row.sessionKey {
                session = keyed[key] ?? turns.count
                keyed[key] = session
            } else if row.hashIDs != nil, let chained {
                session = chainSession[chained[index]] ?? turns.count
                chainSession[chained[index]] = session
            } else {
                session = turns.count
            }
            if session == turns.count { turns.append(0) }
            turns[session] += 1
            if let ids = row.hashIDs, blockTokens != nil {
                sample.blockIDs += ids.map { UInt64(bitPattern: $0) }
                sample.hasBlocks = true
            }
            sample.closeBlocks()
            sample.append(time: Double(row.timestamp - first) / 1e9, prompt: row.promptTokens, output: row.outputTokens,
                          session: session, turn: turns[session])
        }
        sample.span = sample.times.last ?? 0
        sample.models = reader.models
        if format == .jsonl { sample.service = ServiceSample.read(path: path) }
        return (sample, reader, blockTokens)
    }

    /// The requests a configuration generates over [0, span] (send times),
    /// with hash_ids when it has `kv_blocks`.
    package static func generate(_ spec: WorkloadSpec, span: Double) -> RequestSample {
        var engine = WorkloadEngine(spec: spec)
        let catalog = PrefixCatalog.isNeeded(by: spec) ? PrefixCatalog(spec: spec) : nil
        let blockTokens = catalog?.blockTokens
        var sample = RequestSample()
        sample.span = span
        sample.hasBlocks = blockTokens != nil
        var sessions: [UInt64: Int] = [:]
        // A session's requests within the window, counted as a trace sees
        // them: a warm-started session's first request in the window is its
        // first there (as a trace cut from a running service has it).
        var seen: [Int] = []
        let limit = VirtualNanoseconds(span * 1e9)
        while let event = engine.next() {
            guard case .request(let request) = event else { continue }
            guard request.sentAt >= 0, request.sentAt <= limit else { continue }
            let index = sessions[request.sessionID] ?? sessions.count
            sessions[request.sessionID] = index
            if index == seen.count { seen.append(0) }
            seen[index] += 1
            if let catalog, let blockTokens {
                BlockHashes.forEachID(of: request, catalog: catalog, blockTokens: blockTokens) { sample.blockIDs.append($0) }
            }
            sample.closeBlocks()
            sample.append(time: Double(request.sentAt) / 1e9, prompt: request.promptTokens, output: request.outputTokens,
                          session: index, turn: seen[index])
        }
        return sample
    }
}

/// The block size of a trace's hash_ids: every row with n IDs and P prompt
/// tokens says (n - 1) B < P <= n B; the largest power of two in the
/// intersection of those ranges (512 for Mooncake), else its lower end.
enum BlockSizeInference {
    static func blockTokens(_ rows: [TraceRow]) -> Int64? {
        var low: Int64 = 1, high = Int64.max
        var any = false
        for row in rows {
            guard let ids = row.hashIDs, !ids.isEmpty else { continue }
            any = true
            let n = Int64(ids.count)
            low = Swift.max(low, (row.promptTokens + n - 1) / n)
            if n > 1 { high = Swift.min(high, (row.promptTokens - 1) / (n - 1)) }
        }
        guard any, low <= high else { return nil }
        var power: Int64 = 1
        while power * 2 <= high { power *= 2 }
        return power >= low ? power : low
    }
}
