import Foundation
import Testing
import WorkloadDaemon
import WorkloadModel

/// Replay is exact, row by row, and `loop` continues seamlessly.
@Suite(.timeLimit(.minutes(10))) struct ReplayExactTests {
    /// The excerpt, and the whole sample trace when `../shared/traces` is there.
    static let azurePaths = [TraceFixtures.azure] + [TraceFixtures.fullAzure].compactMap { $0 }
    static let mooncakePaths = [TraceFixtures.mooncake] + [TraceFixtures.fullMooncake].compactMap { $0 }

    @Test(arguments: azurePaths) func azureRowsBecomeRequestsToTheNanosecond(path: String) throws {
        let rows = try TraceFixtures.azureRows(path)
        let requests = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(path, "azure")))
        #expect(requests.count == rows.count)
        let wrong = zip(requests, rows).filter { item, row in
            let (request, hashIDs) = item
            return request.sentAt != row.0 - rows[0].0 || request.time != request.sentAt
                || request.promptTokens != row.1 || request.outputTokens != row.2 || request.turn != 1 || hashIDs != nil
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(rows.count) rows differ, first \(String(describing: wrong.first))")
    }

    /// The traces time requests at the service: with the default link a row
    /// arrives at its own timestamp (`sent_at_s` earlier by the link), and
    /// rows with equal timestamps (Mooncake's 3 s rounding) keep the file's order.
    @Test(arguments: [(azurePaths, "azure"), (mooncakePaths, "mooncake")], [1.0, 3.0])
    func rowsArriveAtTheirTimestampsOverTheDefaultLink(paths: ([String], String), scale: Double) throws {
        for path in paths.0 {
            let rows: [(Int64, Int64, Int64)] = paths.1 == "azure"
                ? try TraceFixtures.azureRows(path) : try TraceFixtures.mooncakeRows(path).map { ($0.0, $0.1, $0.2) }
            let yaml = """
                workload:
                  random_seed: 7
                  replay: {file: \(path), format: \(paths.1), time_scale: \(scale)}
                """
            let requests = TraceFixtures.requests(try TraceFixtures.events(yaml))
            #expect(requests.count == rows.count)
            // Tokens too: two rows of one timestamp swapped would put each row's tokens on the other.
            let wrong = zip(requests, rows).filter { item, row in
                let (request, _) = item
                let expected = scale == 1 ? row.0 - rows[0].0 : Int64((Double(row.0 - rows[0].0) / scale).rounded())
                return request.time != expected || request.promptTokens != row.1 || request.outputTokens != row.2
                    || request.sentAt < 0 || request.sentAt > request.time
                    || (request.time > 1_000_000 && request.sentAt == request.time)
            }
            #expect(wrong.isEmpty, "\(path) x\(scale): \(wrong.count) of \(rows.count) rows differ, first \(String(describing: wrong.first))")
            if path == TraceFixtures.fullMooncake {
                #expect(zip(rows, rows.dropFirst()).filter { $0.0 == $1.0 }.count > 1000)
            }
        }
    }

    @Test func timeScaleDividesTheOffsets() throws {
        let rows = try TraceFixtures.azureRows(TraceFixtures.azure)
        let yaml = TraceFixtures.yaml(TraceFixtures.azure, "azure", extra: ", time_scale: 4.0")
        let requests = TraceFixtures.requests(try TraceFixtures.events(yaml))
        for ((request, _), row) in zip(requests, rows) {
            // (t - first) / 4 in whole ns: exact when divisible, else within half a ns.
            let exact = Double(row.0 - rows[0].0) / 4
            #expect(abs(Double(request.sentAt) - exact) <= 0.5)
        }
    }

    @Test(arguments: mooncakePaths) func mooncakeRowsKeepTimesTokensAndHashIDs(path: String) throws {
        let rows = try TraceFixtures.mooncakeRows(path)
        let requests = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(path, "mooncake")))
        #expect(requests.count == rows.count)
        let wrong = zip(requests, rows).filter { item, row in
            let (request, hashIDs) = item
            return request.sentAt != row.0 - rows[0].0 || request.time != request.sentAt
                || request.promptTokens != row.1 || request.outputTokens != row.2 || hashIDs != row.3
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(rows.count) rows differ, first \(String(describing: wrong.first))")
    }

    /// Later turns: a request whose chain starts with every complete block
    /// (>= 2) of an earlier request's chain; counted independently here.
    @Test func mooncakeLaterTurnsFollowTheHashChains() throws {
        let path = TraceFixtures.fullMooncake ?? TraceFixtures.mooncake
        let rows = try TraceFixtures.mooncakeRows(path)
        var complete = Set<[Int64]>()
        var expected = 0
        for row in rows {
            let chain = row.3
            if chain.count >= 3, (2..<chain.count).contains(where: { complete.contains(Array(chain[..<$0])) }) { expected += 1 }
            let blocks = min(chain.count, Int(row.1 / 512))
            if blocks >= 2 { complete.insert(Array(chain[..<blocks])) }
        }
        let requests = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(path, "mooncake")))
        let later = requests.filter { $0.0.turn > 1 }.count
        #expect(later == expected, "later turns \(later) of \(requests.count), expected \(expected)")
        #expect(later > 0)
    }

    @Test func loopRepeatsThreePassesShiftedBySpanWithFreshSessions() throws {
        let rows = try TraceFixtures.azureRows(TraceFixtures.azure)
        let span = rows.last!.0 - rows[0].0
        let yaml = TraceFixtures.yaml(
            TraceFixtures.azure, "azure", extra: ", loop: true", workload: "total_requests_to_generate: \(3 * rows.count)")
        let events = try TraceFixtures.events(yaml)
        let requests = TraceFixtures.requests(events)
        #expect(requests.count == 3 * rows.count)
        for (index, (request, _)) in requests.enumerated() {
            let pass = Int64(index / rows.count)
            let row = rows[index % rows.count]
            #expect(request.sentAt == pass * span + row.0 - rows[0].0)
            #expect(request.promptTokens == row.1)
        }
        #expect(Set(requests.map(\.0.sessionID)).count == requests.count)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.event.time <= $1.event.time })
        #expect(events.map(\.event.seq) == (0..<UInt64(events.count)).map { $0 })
    }

    @Test func generateWritesHashIDsOnlyWhenTheTraceHasThem() async throws {
        let config = try temporaryFile("replay-mooncake.yaml", contents: TraceFixtures.yaml(TraceFixtures.mooncake, "mooncake"))
        let result = try await runCLI(["generate", "-c", config.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: 0x0A).map { try! JSONSerialization.jsonObject(with: $0) as! [String: Any] }
        let requests = lines.filter { $0["type"] as? String == "request" }
        #expect(requests.count == 400)
        #expect(requests.allSatisfy { $0["hash_ids"] is [NSNumber] })
        #expect(lines.filter { $0["type"] as? String != "request" }.allSatisfy { $0["hash_ids"] == nil })
    }
}
