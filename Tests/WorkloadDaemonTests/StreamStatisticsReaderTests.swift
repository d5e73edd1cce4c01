import Foundation
import Testing
import WorkloadModel
@testable import WorkloadTraces

/// `stats` numbers profiles, end reasons and request IDs from the bytes of
/// each line instead of keying dictionaries by `String`: its figures are
/// those of a reading through JSONSerialization and `String`-keyed
/// dictionaries, computed here, on a stream whose names come in several
/// spellings of one string (escapes, canonically equivalent Unicode).
@Suite struct StreamStatisticsReaderTests {
    /// Spellings in JSON; those on one row name the same `String`.
    static let profiles = [
        [#""chat""#, #""ch\u0061t""#], [#""batch""#], ["\"\u{212A}\"", #""K""#], ["\"\u{E9}\"", "\"e\u{301}\"", #""\u00e9""#],
        [#""""#], ["7"], [],
    ]
    static let reasons = [[#""completed""#], [#""max_turns""#, #""max_\u0074urns""#], [#""horizon""#], []]

    /// A small closed-loop stream with a fixed seed: sessions, their turns
    /// (some with `depends_on`), completions of most requests, endings.
    static func stream(completions: Bool) -> [String] {
        var random = SplitMix64(seed: 11)
        var lines: [String] = []
        var time = -3.0
        for session in 0..<600 {
            time += Self.unit(&random) * 2
            let spellings = profiles[Self.below(&random, profiles.count)]
            let profile = spellings.isEmpty ? "" : #","profile":\#(spellings[Self.below(&random, spellings.count)])"#
            // An ID spelled with an escape is the same ID.
            let id = Self.below(&random, 4) == 0 ? #"\u0073\#(session)"# : "s\(session)"
            let warm = Self.below(&random, 5) == 0
            lines.append(#"{"type":"session_started","time_s":\#(time),"session_id":"\#(id)","began_before_run":\#(warm)\#(profile)}"#)
            let turns = 1 + Self.below(&random, 5)
            for turn in 1...turns {
                let sent = time + Self.unit(&random)
                let arrival = sent + 0.001
                let output = 10 + Self.below(&random, 300)
                var dependsOn = ""
                if turn > 1, Self.below(&random, 3) == 0 {
                    dependsOn = #","depends_on":["s\#(Self.below(&random, session + 1))-1","\#(id)-\#(turn - 1)"]"#
                }
                lines.append(#"{"type":"request","time_s":\#(arrival),"request_id":"\#(id)-\#(turn)","session_id":"\#(id)","turn":\#(turn),"sent_at_s":\#(sent),"output_tokens":\#(output)\#(dependsOn)\#(profile)}"#)
                if completions, Self.below(&random, 10) < 8 {
                    let done = arrival + Self.unit(&random) * 3
                    let spelled = Self.below(&random, 2) == 0 ? "s\(session)-\(turn)" : #"\u0073\#(session)-\#(turn)"#
                    lines.append(#"{"type":"completion","time_s":\#(done),"request_id":"\#(spelled)"}"#)
                }
                time = sent + Self.unit(&random) * 2
            }
            let reason = reasons[Self.below(&random, reasons.count)]
            let ended = reason.isEmpty ? "" : #","reason":\#(reason[Self.below(&random, reason.count)])"#
            lines.append(#"{"type":"session_ended","time_s":\#(time),"session_id":"\#(id)","turns":\#(turns)\#(ended)}"#)
        }
        return lines
    }

    static func below(_ random: inout SplitMix64, _ n: Int) -> Int { Int(random.next() % UInt64(n)) }

    static func unit(_ random: inout SplitMix64) -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    /// The figures as JSONSerialization and `String`-keyed dictionaries give them.
    struct Expected {
        var profiles: [String: (sessions: Int, requests: Int)] = [:]
        var reasons: [String: Int] = [:]
        var seriesNames = Set<String>()
        var completions = 0
        var early = 0
        var known = 0

        init(_ lines: [String], assumed: (ttft: Double, tpot: Double)?) throws {
            var arrivals: [String: (time: Double, output: Double)] = [:]
            var completionTimes: [String: Double] = [:]
            var laterTurns: [(sentAt: Double, dependency: String)] = []
            for line in lines {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let time = try #require(event["time_s"] as? Double)
                let profile = event["profile"] as? String ?? "?"
                switch event["type"] as? String {
                case "session_started":
                    profiles[profile, default: (0, 0)].sessions += 1
                    if event["began_before_run"] as? Bool != true, time >= 0, !profile.isEmpty { seriesNames.insert(profile) }
                case "request":
                    profiles[profile, default: (0, 0)].requests += 1
                    if time >= 0, !profile.isEmpty { seriesNames.insert(profile) }
                    let id = try #require(event["request_id"] as? String), session = try #require(event["session_id"] as? String)
                    let turn = try #require(event["turn"] as? Int)
                    arrivals[id] = (time, event["output_tokens"] as? Double ?? 0)
                    if turn >= 2 {
                        let declared = (event["depends_on"] as? [String])?.last
                        laterTurns.append((try #require(event["sent_at_s"] as? Double), declared ?? "\(session)-\(turn - 1)"))
                    }
                case "completion": completionTimes[try #require(event["request_id"] as? String)] = time
                case "session_ended": reasons[event["reason"] as? String ?? "?", default: 0] += 1
                default: Issue.record("unexpected line \(line)")
                }
            }
            completions = completionTimes.count
            for turn in laterTurns {
                let done: Double?
                if !completionTimes.isEmpty {
                    done = completionTimes[turn.dependency]
                } else if let assumed, let request = arrivals[turn.dependency] {
                    done = request.time + assumed.ttft + request.output * assumed.tpot
                } else {
                    done = nil
                }
                guard let done else { continue }
                known += 1
                if turn.sentAt < done { early += 1 }
            }
        }
    }

    @Test(arguments: [true, false])
    func figuresAreThoseOfStringKeyedDictionaries(completions: Bool) throws {
        let lines = Self.stream(completions: completions)
        let assumed = completions ? nil : (ttft: 0.5, tpot: 0.004)
        var stats = StreamStatistics()
        stats.responses.assumed = assumed
        for line in lines {
            let accepted = stats.add(line: Data(line.utf8))
            #expect(accepted, "\(line)")
        }
        let expected = try Expected(lines, assumed: assumed)
        let report = stats.report().split(separator: "\n").map(String.init)

        let profileLines = report.drop { $0 != "per profile:" }.dropFirst().prefix { $0.hasPrefix("  ") && !$0.hasPrefix("rates") }
        let pattern = try Regex(#"^  (.*): (\d+) sessions \(.*\), (\d+) requests \("#)
        let measured = try profileLines.map { line in
            let match = try #require(try pattern.firstMatch(in: line), "\(line)")
            return "\(match.output[1].substring!) \(match.output[2].substring!) \(match.output[3].substring!)"
        }
        let want = expected.profiles.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.sessions) \($0.value.requests)" }
        #expect(measured == want)
        #expect(expected.profiles.count == 6, "chat, batch, K, é, the empty name, and ? for the missing and the number")

        let reasons = expected.reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        #expect(report.contains("end reasons   " + reasons), "\(report.filter { $0.hasPrefix("end") })")

        let series = report.compactMap { line -> String? in
            guard line.hasPrefix("  "), let range = line.range(of: " requests: ") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 2)..<range.lowerBound])
        }
        #expect(series == ["all"] + expected.seriesNames.sorted())

        let share = String(format: "%.2f%%", 100 * Double(expected.early) / Double(expected.known))
        #expect(expected.known > 100 && expected.early > 0 && expected.early < expected.known)
        #expect(report.contains { $0.hasPrefix("early sends   \(expected.early) of \(expected.known) later turns (\(share))") },
                "\(report.filter { $0.hasPrefix("early") }) want \(expected.early) of \(expected.known)")
        if completions {
            #expect(report.contains { $0.hasPrefix("completions   \(expected.completions);") })
        }
    }

    /// Ranks by counting (whole numbers) and by sorting (others) are those of
    /// the definition: 1 + how many values are smaller + (ties - 1) / 2.
    @Test(arguments: [1.0, 0.5, -1.0])
    func ranksAreTheDefinitions(scale: Double) {
        var random = SplitMix64(seed: 5)
        let values = (0..<400).map { _ in Double(Self.below(&random, 60)) * scale }
        let definition = values.map { value in
            1 + Double(values.filter { $0 < value }.count) + Double(values.filter { $0 == value }.count - 1) / 2
        }
        #expect(RankCorrelation.ranks(values) == definition)
        #expect((RankCorrelation.countedRanks(values) != nil) == (scale == 1))
    }
}
