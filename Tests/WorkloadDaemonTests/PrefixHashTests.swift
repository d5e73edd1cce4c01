import Foundation
import Testing
import TestSupport
@testable import WorkloadDaemon
@testable import WorkloadModel
@testable import WorkloadConfig
@testable import WorkloadTraces

/// The hash_ids rule on every request of a one-hour
/// stream of config/prefixes.yaml, at 512-token and 16-token blocks.
@Suite(.statistics, .background, .tags(.statistics)) struct PrefixHashTests {
    static func example(blockTokens: Int64) throws -> Configuration {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var configuration = try Configuration.load(path: root.appendingPathComponent("config/prefixes.yaml").path)
        configuration.override(duration: 3600)
        configuration.workload.kvBlockTokens = blockTokens
        return configuration
    }

    static func ids(_ request: RequestEvent, _ catalog: PrefixCatalog, _ block: Int64) -> [UInt64] {
        var ids: [UInt64] = []
        BlockHashes.forEachID(of: request, catalog: catalog, blockTokens: block) { ids.append($0) }
        return ids
    }

    static func commonLead(_ a: [UInt64], _ b: [UInt64]) -> Int {
        var n = 0
        while n < a.count && n < b.count && a[n] == b[n] { n += 1 }
        return n
    }

    /// Tokens of the longest common run of identical leading prefix items.
    static func commonItems(_ a: RequestEvent, _ b: RequestEvent, _ catalog: PrefixCatalog) -> Int64 {
        var tokens: Int64 = 0
        for index in 0..<Int(Swift.min(a.prefixItems.count, b.prefixItems.count)) {
            guard a.prefixItems[index] == b.prefixItems[index] else { break }
            let (pool, item) = a.prefixItems[index]
            tokens += catalog.itemTokens[pool][item]
        }
        return tokens
    }

    @Test(arguments: [512, 16] as [Int64])
    func theRuleHoldsOnEveryRequest(block: Int64) throws {
        let configuration = try Self.example(blockTokens: block)
        let catalog = PrefixCatalog(spec: configuration.workload)
        var engine = WorkloadEngine(spec: configuration.workload)
        var previousTurn: [UInt64: (request: RequestEvent, ids: [UInt64])] = [:]
        var lastByFirstItem: [UInt64: (request: RequestEvent, ids: [UInt64])] = [:]
        var last: (request: RequestEvent, ids: [UInt64])?
        var requests = 0, turnPairs = 0, truncatedPairs = 0, crossPairs = 0, sharedCrossBlocks = 0
        let mask: UInt64 = 1 << 53
        while let event = engine.next() {
            guard case .request(let r) = event else { continue }
            requests += 1
            let ids = Self.ids(r, catalog, block)
            #expect(ids.count == Int((r.promptTokens + block - 1) / block))
            #expect(ids.allSatisfy { $0 < mask })
            if let before = previousTurn[r.sessionID] {
                let p = before.request
                let carried = p.promptTokens + p.outputTokens  // full history
                let expected = r.prefixTokens == carried ? Int(p.promptTokens / block) : Int(r.sharedPrefixTokens / block)
                if r.prefixTokens == carried { turnPairs += 1 } else { truncatedPairs += 1 }
                let common = Self.commonLead(before.ids, ids)
                #expect(common == Swift.min(expected, ids.count), "turn \(r.turn) of \(r.sessionID): \(common) common IDs, expected \(expected)")
                if common < ids.count && common < before.ids.count { #expect(before.ids[common] != ids[common]) }
            }
            var others: [(request: RequestEvent, ids: [UInt64])] = []
            if let last, last.request.sessionID != r.sessionID { others.append(last) }
            if r.prefixItems.count > 0 {
                let key = UInt64(r.prefixItems[0].pool) << 32 | UInt64(r.prefixItems[0].item)
                if let same = lastByFirstItem[key], same.request.sessionID != r.sessionID { others.append(same) }
                lastByFirstItem[key] = (r, ids)
            }
            for other in others {
                crossPairs += 1
                let s = Self.commonItems(r, other.request, catalog)
                let common = Self.commonLead(ids, other.ids)
                sharedCrossBlocks += common
                #expect(common == Int(s / block), "sessions \(r.sessionID) and \(other.request.sessionID): \(common) common IDs, S = \(s)")
            }
            previousTurn[r.sessionID] = (r, ids)
            last = (r, ids)
        }
        print("block \(block): \(requests) requests, \(turnPairs) turn pairs, \(truncatedPairs) truncated, \(crossPairs) cross-session pairs sharing \(sharedCrossBlocks) blocks")
        #expect(requests > 10_000 && turnPairs > 5_000 && crossPairs > 10_000 && sharedCrossBlocks > 0)
    }

    /// The JSON carries the same IDs, prefix IDs and shared tokens.
    @Test func theEncoderWritesTheSameIDs() throws {
        let configuration = try Self.example(blockTokens: 512)
        let catalog = PrefixCatalog(spec: configuration.workload)
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        var engine = WorkloadEngine(spec: configuration.workload)
        var checked = 0
        while checked < 300, let event = engine.next() {
            guard case .request(let r) = event else { continue }
            var writer = ByteWriter(capacity: 256)
            encoder.encode(event, into: &writer)
            let object = try #require(writer.withUnsafeBytes { try? JSONSerialization.jsonObject(with: Data($0)) } as? [String: Any])
            #expect((object["hash_ids"] as? [NSNumber])?.map(\.uint64Value) == Self.ids(r, catalog, 512))
            #expect((object["shared_prefix_tokens"] as? NSNumber)?.int64Value == r.sharedPrefixTokens)
            let names = configuration.workload.prefixPools.map(\.name)
            let expected = (0..<Int(r.prefixItems.count)).map { "\(names[r.prefixItems[$0].pool]):\(r.prefixItems[$0].item)" }
            #expect(object["prefix_ids"] as? [String] == expected)
            checked += 1
        }
    }

    /// Agent calls copy their predecessor's encoded IDs (`RecentHashIDs`):
    /// every request of an agent stream, with hundreds of sessions sharing
    /// the remembered lists' slots and small blocks (many IDs per call), still
    /// carries exactly the IDs of the rule.
    @Test func agentCallsCopyingTheirPredecessorsIDsKeepEveryID() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var configuration = try Configuration.load(path: root.appendingPathComponent("config/coding-agent.yaml").path)
        configuration.override(duration: 900)
        configuration.workload.kvBlockTokens = 64
        let catalog = PrefixCatalog(spec: configuration.workload)
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        var engine = WorkloadEngine(spec: configuration.workload)
        var requests = 0, continued = 0, ids = 0
        var last: [UInt64: [UInt64]] = [:]
        while let event = engine.next() {
            guard case .request(let r) = event else { continue }
            var writer = ByteWriter(capacity: 4096)
            encoder.encode(event, into: &writer)
            let object = try #require(writer.withUnsafeBytes { try? JSONSerialization.jsonObject(with: Data($0)) } as? [String: Any])
            let expected = Self.ids(r, catalog, 64)
            #expect((object["hash_ids"] as? [NSNumber])?.map(\.uint64Value) == expected)
            if let previous = last[r.ownSessionID], Self.commonLead(previous, expected) > 0 { continued += 1 }
            last[r.ownSessionID] = expected
            requests += 1
            ids += expected.count
        }
        print("\(requests) requests, \(continued) continuing their session's last prompt, \(last.count) sessions, \(ids) IDs")
        #expect(requests > 1_000 && continued > requests / 2 && last.count > RecentHashIDs.slotCount / 4)
    }
}
