import Foundation
import Testing
import TestSupport
import WorkloadDaemon
import WorkloadTraces
@testable import WorkloadConfig
@testable import WorkloadModel

/// Routing tags: every bad value reported with its key path, shares and
/// stickiness as configured, clamps, and no other draw moved.
@Suite struct RoutingTagsTests {
    static let tags = """
        tenants: {count: 50, popularity: {type: Zipf, s: 1.0}}
        models: [{name: llama-3.1-70b, weight: 0.8}, {name: llama-3.1-8b, weight: 0.2}]
        adapters: {count: 200, popularity: {type: Zipf, s: 1.1}, per: tenant, probability: 0.6}
        slo_classes:
          - {name: interactive, weight: 0.7, ttft_ms: 500, tpot_ms: 50}
          - {name: batch, weight: 0.3}
        reasoning_tokens_dist_config: {type: Uniform, low: 0, high: 800}
        reasoning_tokens_clamp: output_tokens
        images: {count_dist_config: {type: Uniform, low: 0, high: 3}, tokens_per_image_dist_config: {type: Constant, value: 85}}
        """

    /// An hour at 5 sessions/s, one turn each (sessions and requests coincide).
    static func hour(_ tags: String, clients: Int = 100) throws -> WorkloadSpec {
        let yaml = configYAML(profile: tags + "\nnum_clients: \(clients)")
            .replacingOccurrences(of: "total_duration: 10", with: "total_duration: 3600")
        return try Configuration.parse(yaml: yaml).workload
    }

    static func taggedRequests(_ spec: WorkloadSpec) throws -> [(RequestEvent, RoutingTags)] {
        let tagger = try #require(RoutingTagger(spec: spec))
        var engine = WorkloadEngine(spec: spec)
        var out: [(RequestEvent, RoutingTags)] = []
        while let event = engine.next() {
            guard case .request(let r) = event else { continue }
            out.append((r, try #require(tagger.tags(for: r))))
        }
        return out
    }

    @Test func everyBadValueIsReportedWithItsPathAndValue() {
        let found = problems(configYAML(profile: """
            tenants: {count: 0}
            models: [{name: a, weight: -1}, {name: b, weight: 0.5}]
            adapters: {count: 10, per: user, probability: 1.5}
            slo_classes: [{name: x, weight: 0, ttft_ms: 0}, {name: y, weight: 0, tpot_ms: -5}]
            reasoning_tokens_dist_config: {type: Uniform, low: 0, high: 800}
            images: {count_dist_config: {type: Exponential, rate: 1}, tokens_per_image_dist_config: {type: Constant, value: 85}}
            """))
        let p = "workload.client_profiles[0]"
        #expect(found == [
            "\(p).tenants.count: must be between 1 and 1000000 (got 0)",
            "\(p).models[0].weight: must be >= 0 (got -1)",
            "\(p).adapters.per: must be tenant, session or request (got user)",
            "\(p).adapters.probability: must be a probability in [0, 1] (got 1.5)",
            "\(p).slo_classes[0].ttft_ms: must be between 1 and 86400000 (got 0)",
            "\(p).slo_classes[1].tpot_ms: must be between 1 and 86400000 (got -5)",
            "\(p).slo_classes: weights must be finite and not all zero (got a sum of 0)",
            "\(p).reasoning_tokens_dist_config: can exceed output_tokens (largest value 800, smallest output 100); bound it with max or set reasoning_tokens_clamp: output_tokens",
            "\(p).images.count_dist_config: at most 10000 images per request; bound it with max (got a largest value of inf)",
        ], "\(found)")
        #expect(problems(configYAML(profile: "adapters: {count: 10, per: tenant}")) == [
            "\(p).adapters.per: per: tenant needs the profile's tenants (got per: tenant without tenants)"])
        #expect(problems(configYAML(profile: "models: [{name: a, weight: 0}]")) == [
            "\(p).models: weights must be finite and not all zero (got a sum of 0)"])
        #expect(problems(configYAML(profile: "reasoning_tokens_clamp: outputs")) == [
            "\(p).reasoning_tokens_clamp: must be output_tokens or none (got outputs) (did you mean 'output_tokens'?)"])
        // Bounded by max at most the smallest output: no clamp rule needed.
        #expect(problems(configYAML(profile: "reasoning_tokens_dist_config: {type: Uniform, low: 0, high: 800, max: 100}")) == [])
    }

    /// Model and SLO-class shares per session, adapter share per
    /// request, each within 4 standard errors; tenants per client pass a
    /// chi-square test (1%) against Zipf(1.0) on 50.
    @Test(.statistics, .background, .tags(.statistics)) func sharesMatchTheConfiguration() throws {
        let tags = Self.tags.replacingOccurrences(of: "per: tenant", with: "per: request")
        let yaml = configYAML(profile: tags + "\nnum_clients: 5000")
            .replacingOccurrences(of: "total_duration: 10", with: "total_duration: 3600")
            .replacingOccurrences(of: "conversational_probability: 0.6", with: "conversational_probability: 0")
        let requests = try Self.taggedRequests(try Configuration.parse(yaml: yaml).workload)
        let n = Double(requests.count)
        func within4SE(_ count: Int, of total: Double, expected p: Double, _ what: String) {
            let share = Double(count) / total
            let se = (p * (1 - p) / total).squareRoot()
            print("\(what): \(share) vs \(p), SE \(se), z \((share - p) / se)")
            #expect(abs(share - p) <= 4 * se, "\(what) \(share) vs \(p) ± \(se)")
        }
        within4SE(requests.filter { $0.1.model == 0 }.count, of: n, expected: 0.8, "model llama-3.1-70b")
        within4SE(requests.filter { $0.1.sloClass == 0 }.count, of: n, expected: 0.7, "slo interactive")
        within4SE(requests.filter { $0.1.adapter != nil }.count, of: n, expected: 0.6, "adapter present")
        let q1 = 1 / ZipfHarmonic.sum(200, 1.1)
        within4SE(requests.filter { $0.1.adapter == 1 }.count, of: n, expected: 0.6 * q1, "adapter-1")

        var tenantOfClient: [Int32: Int] = [:]
        for (r, t) in requests { tenantOfClient[r.client] = t.tenant }
        var observed = [Int](repeating: 0, count: 50)
        for tenant in tenantOfClient.values { observed[tenant - 1] += 1 }
        let clients = Double(tenantOfClient.count)
        let h = ZipfHarmonic.sum(50, 1.0)
        let expected = (1...50).map { clients / (Double($0) * h) }
        let chi = GoodnessOfFit.chiSquareStatistic(observed: observed, expected: expected)
        let p = GoodnessOfFit.chiSquareSurvival(chi, degreesOfFreedom: 49)
        print("tenants: \(tenantOfClient.count) clients, chi-square \(chi), df 49, p \(p)")
        #expect(requests.count > 15_000 && tenantOfClient.count > 4_500)
        #expect(p > 0.01, "chi-square \(chi) p \(p)")
    }

    /// Per tenant, every request of a tenant uses one adapter (or
    /// none); per session, every request of a session; reasoning within the
    /// output and image tokens within the new input (so within the prompt).
    @Test(.statistics, .background, .tags(.statistics), arguments: [AdapterScope.tenant, .session])
    func adaptersStickAndClampsHold(per scope: AdapterScope) throws {
        let tags = Self.tags.replacingOccurrences(of: "per: tenant", with: "per: \(scope.rawValue)")
        let requests = try Self.taggedRequests(try Self.hour(tags))
        var byOwner: [UInt64: Set<Int>] = [:]
        var withAdapter = 0
        var clampedReasoning = 0
        var images = 0
        for (r, t) in requests {
            let owner = scope == .tenant ? UInt64(try #require(t.tenant)) : r.sessionID
            byOwner[owner, default: []].insert(t.adapter ?? 0)
            if t.adapter != nil { withAdapter += 1 }
            let reasoning = try #require(t.reasoningTokens)
            #expect(reasoning >= 0 && reasoning <= r.outputTokens)
            if reasoning == r.outputTokens { clampedReasoning += 1 }
            let imageTokens = try #require(t.imageTokens)
            let imageCount = try #require(t.imageCount)
            #expect(imageTokens == imageCount * 85)
            #expect(imageTokens <= r.newInputTokens && imageTokens <= r.promptTokens)
            images += Int(t.imageCount ?? 0)
        }
        #expect(byOwner.values.allSatisfy { $0.count == 1 }, "an owner with two adapters")
        // The test can fail: owners keep different adapters, and some have one.
        #expect(Set(byOwner.values.map { $0.first! }).count > 5 && withAdapter > 0)
        #expect(clampedReasoning > 0 && images > 0, "the clamp and the images were exercised")
        print("per \(scope): \(byOwner.count) owners, \(requests.count) requests, \(withAdapter) with an adapter, \(clampedReasoning) reasoning clamped")
    }

    /// Tags add fields and move nothing else; the stream is
    /// deterministic. Cutting every request at its first tag field gives the
    /// untagged stream byte for byte.
    @Test func tagsMoveNoOtherDraw() throws {
        let plain = configYAML(workload: "run_id: fixed")
        let tagged = configYAML(workload: "run_id: fixed", profile: Self.tags)
        func generated(_ yaml: String) throws -> String {
            let configuration = try Configuration.parse(yaml: yaml)
            let file = try temporaryTagFile()
            _ = try StreamGenerator.write(configuration, to: FileOutput(path: file))
            defer { try? FileManager.default.removeItem(atPath: file) }
            return try String(contentsOfFile: file, encoding: .utf8)
        }
        let before = try generated(plain)
        let after = try generated(tagged)
        #expect(try generated(tagged) == after, "deterministic")
        let cut = after.split(separator: "\n").map { line -> String in
            guard let range = line.range(of: ",\"tenant\":") else { return String(line) }
            return String(line[..<range.lowerBound]) + "}"
        }
        #expect(cut.joined(separator: "\n") + "\n" == before)
        #expect(after.contains("\"slo_class\":\"interactive\",\"ttft_slo_ms\":500,\"tpot_slo_ms\":50"))
        #expect(after.contains("\"slo_class\":\"batch\",\"ttft_slo_ms\":null,\"tpot_slo_ms\":null"))
        #expect(after.contains("\"adapter\":null") && after.contains("\"adapter\":\"adapter-"))
    }

    /// `stats` measures the shares and the distinct adapters of hour 0;
    /// `validate` predicts them. With one-turn sessions and `per: session`,
    /// the distinct count at the measured n is Σ 1 − (1 − p·q_k)^n, with a
    /// variance below Σ P_k (1 − P_k) (the indicators are negatively correlated).
    @Test(.statistics, .background, .tags(.statistics)) func validatePredictsWhatStatsMeasures() throws {
        // 100,000 adapters: an hour leaves many unused, so the count tests the formula.
        let tags = Self.tags.replacingOccurrences(of: "per: tenant", with: "per: session").replacingOccurrences(of: "count: 200", with: "count: 100000")
        let yaml = configYAML(workload: "run_id: fixed", profile: tags)
            .replacingOccurrences(of: "total_duration: 10", with: "total_duration: 3600")
            .replacingOccurrences(of: "conversational_probability: 0.6", with: "conversational_probability: 0")
        let configuration = try Configuration.parse(yaml: yaml)
        let file = try temporaryTagFile()
        _ = try StreamGenerator.write(configuration, to: FileOutput(path: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        var stats = StreamStatistics()
        for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") { stats.add(line: Data(line.utf8)) }
        let n = Double(stats.tags.requests)
        let model = stats.tags.share("model", "llama-3.1-70b")
        #expect(abs(model - 0.8) <= 4 * (0.16 / n).squareRoot(), "model share \(model)")
        let adapters = try #require(configuration.workload.profiles[0].tags.adapters)
        let expected = RoutingTagFigures.distinctAdapters(adapters, tenants: nil, sessions: n, requests: n, clients: 100)
        let h = ZipfHarmonic.sum(100_000, 1.1)
        let q = (1...100_000).map { pow(Double($0), -1.1) / h }
        let variance = q.map { 1 - pow(1 - 0.6 * $0, n) }.reduce(0) { $0 + $1 * (1 - $1) }
        let measured = Double(try #require(stats.tags.adaptersByHour[0]).count)
        print("distinct adapters in hour 0: measured \(measured), expected \(expected) ± \(variance.squareRoot())")
        #expect(abs(measured - expected) <= 4 * variance.squareRoot() + 1e-9)
        #expect(stats.tags.outOfBounds == 0)
        let report = configuration.routingTagsReport.joined(separator: "\n")
        let predicted = try #require(configuration.workload.routingTagFigures.first?.distinctAdaptersPerHour)
        #expect(report.contains(String(format: "expected distinct adapters per hour: %.1f", predicted)), "\(report)")
        #expect(report.contains("model shares: llama-3.1-70b 0.8000, llama-3.1-8b 0.2000"))
        // The effective configuration reads back to the same tags.
        let reloaded = try Configuration.parse(yaml: configuration.effectiveYAML)
        #expect(reloaded.workload.profiles[0].tags == configuration.workload.profiles[0].tags)
    }

    /// Tagged request events match the JSON Schema (python-jsonschema, the
    /// reference implementation), and an adapter name out of pattern fails it.
    @Test(.needs(.pythonJSONSchema), .integration, .tags(.integration), .timeLimit(.minutes(10))) func taggedEventsMatchTheSchema() throws {
        let file = try temporaryTagFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try StreamGenerator.write(try Configuration.parse(yaml: configYAML(profile: Self.tags)), to: FileOutput(path: file))
        let bad = try temporaryTagFile()
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let first = try #require(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").first { $0.contains("\"adapter\":\"") })
        let broken = first.replacingOccurrences(of: "\"adapter\":\"adapter-", with: "\"adapter\":\"lora-")
        try broken.write(toFile: bad, atomically: true, encoding: .utf8)
        let schema = daemonRepositoryRoot.appendingPathComponent("Sources/WorkloadModel/Encoding/events.schema.json").path
        let script = """
            import json, sys, jsonschema
            v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
            n = 0
            for line in open(sys.argv[2]):
                errors = list(v.iter_errors(json.loads(line)))
                if errors:
                    print("INVALID", errors[0].message); sys.exit(1)
                n += 1
            print("valid", n)
            """
        func validate(_ path: String) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, schema, path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, output)
        }
        let good = try validate(file)
        #expect(good.0 == 0 && good.1.hasPrefix("valid"), "\(good.1)")
        let rejected = try validate(bad)
        #expect(rejected.0 == 1 && rejected.1.contains("INVALID"), "\(rejected.1)")
    }

    func temporaryTagFile() throws -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tags-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
    }
}

/// H(n, s) summed directly (the law's own normaliser is what is under test).
enum ZipfHarmonic {
    static func sum(_ n: Int, _ s: Double) -> Double {
        (1...n).reduce(0.0) { $0 + pow(Double($1), -s) }
    }
}

extension DaemonIntegrationTests {
    @Suite("run --shard k/n with routing tags")
    struct TagSharding {
        @Test("tagged example, 120 s: the union of shards 0/2 and 1/2 is the single stream, equal to generate's")
        func unionOfTwoShards() async throws {
            var configuration = try Configuration.parse(yaml: configYAML(profile: RoutingTagsTests.tags))
            configuration.override(duration: 120, seed: 9)
            configuration.clock.startUnixNanoseconds = fixedClockStart
            let (generated, single, shards) = try await Sharding.generatedSingleAndShards(configuration, count: 2)
            #expect(single.status == 0 && shards.map(\.status) == [0, 0])
            #expect(single.lines == generated)
            let merged = (shards[0].lines + shards[1].lines).sorted { (Sharding.seq($0) ?? 0) < (Sharding.seq($1) ?? 0) }
            #expect(merged == single.lines)
            #expect(generated.contains { $0.contains("\"tenant\":\"tenant-") })
        }
    }
}
