import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadModel
@testable import WorkloadConfig

extension DaemonIntegrationTests {
    /// `kafka.record_timestamp: event`: every record consumed back from the
    /// mock cluster carries the anchor plus its `time_s` in whole ms, at max
    /// speed and in real time; `routing_headers` copies the tags.
    @Suite("kafka.record_timestamp and routing_headers")
    struct RecordTimestamps {
        static func yaml(mode: String, duration: Int) -> String {
            configYAML(profile: RoutingTagsTests.tags, top: """
                clock: {mode: \(mode), \(mode == "accelerated" ? "speed: max, " : "")start: "2026-01-01T00:00:00Z"}
                kafka: {record_timestamp: event, routing_headers: true}
                metrics: {listen: ""}
                """).replacingOccurrences(of: "total_duration: 10", with: "total_duration: \(duration)")
        }

        /// time_s (nine decimals) as integer nanoseconds, exactly.
        static func nanoseconds(_ line: String, field: String) -> Int64? {
            guard let start = line.range(of: "\"\(field)\":") else { return nil }
            let text = line[start.upperBound...].prefix { $0.isNumber || $0 == "." }
            let parts = text.split(separator: ".")
            guard let whole = Int64(parts[0]) else { return nil }
            let fraction = parts.count > 1 ? String(parts[1]).padding(toLength: 9, withPad: "0", startingAt: 0) : "000000000"
            return whole * 1_000_000_000 + (Int64(fraction) ?? 0)
        }

        static func field(_ line: String, _ name: String) -> String? {
            guard let start = line.range(of: "\"\(name)\":") else { return nil }
            let rest = line[start.upperBound...]
            if rest.hasPrefix("\"") { return String(rest.dropFirst().prefix { $0 != "\"" }) }
            return String(rest.prefix { $0 != "," && $0 != "}" })
        }

        func check(_ configuration: Configuration, records: [ConsumedRecord], expected: [String]) throws {
            let anchor = try #require(configuration.clock.startUnixNanoseconds)
            var data = 0
            var requests = 0
            var mismatched: [String] = []
            for record in records {
                let line = String(decoding: record.value, as: UTF8.self)
                let time = try #require(Self.nanoseconds(line, field: "time_s"), "\(line)")
                let want = (anchor + time) / 1_000_000
                if record.timestampMs != want { mismatched.append("\(record.timestampMs) vs \(want): \(line)") }
                if record.header("event-type") != Array("watermark".utf8) { data += 1 }
                guard line.hasPrefix("{\"type\":\"request\"") else { continue }
                requests += 1
                func header(_ name: String) -> String? { record.header(name).map { String(decoding: $0, as: UTF8.self) } }
                #expect(header("x-gateway-inference-objective") == Self.field(line, "slo_class"))
                #expect(header("x-gateway-inference-fairness-id") == Self.field(line, "tenant"))
                let ttft = Self.field(line, "ttft_slo_ms")
                #expect(header("x-slo-ttft-ms") == (ttft == "null" ? nil : ttft))
                let tpot = Self.field(line, "tpot_slo_ms")
                #expect(header("x-slo-tpot-ms") == (tpot == "null" ? nil : tpot))
                #expect(header("model") == Self.field(line, "model"))
                #expect(header("session-id") == Self.field(line, "session_id"))
            }
            #expect(mismatched.isEmpty, "\(mismatched.count) records off, first: \(mismatched.first ?? "")")
            #expect(data == expected.count && requests > 10)
            print("event time: \(records.count) records (\(data) data, \(requests) requests) all at anchor + time_s in ms")
        }

        @Test("--speed max: record timestamps are anchor + time_s in ms, routing headers equal the fields", .timeLimit(.minutes(10)))
        func eventTimeAtMaxSpeed() async throws {
            let fixture = try DaemonKafkaFixture()
            let configuration = fixture.configure(try Configuration.parse(yaml: Self.yaml(mode: "accelerated", duration: 60)))
            let expected = try generatedLines(configuration)
            let (status, records) = try await onThread { [configuration] in
                let run = DaemonRun(configuration: configuration, options: RunOptions())
                return (run.waitForStatus(timeout: 60), try fixture.consume(expecting: expected))
            }
            #expect(status == 0)
            try check(configuration, records: records, expected: expected)
        }

        @Test("real time: record timestamps are anchor + time_s in ms, not the wall clock", .timeLimit(.minutes(10)))
        func eventTimeInRealTime() async throws {
            let fixture = try DaemonKafkaFixture()
            let configuration = fixture.configure(try Configuration.parse(yaml: Self.yaml(mode: "realtime", duration: 4)))
            let expected = try generatedLines(configuration)
            let (status, records) = try await onThread { [configuration] in
                let run = DaemonRun(configuration: configuration, options: RunOptions())
                return (run.waitForStatus(timeout: 60), try fixture.consume(expecting: expected))
            }
            #expect(status == 0)
            try check(configuration, records: records, expected: expected)
            // The anchor is 2026-01-01: a wall-clock stamp would be today's.
            #expect(records.allSatisfy { $0.timestampMs < 1_767_225_600_000 + 5_000 })
        }

        /// `time` (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) as Unix milliseconds, rounded down.
        static func unixMilliseconds(rfc3339 text: String) -> Int64? {
            let digits = text.split(whereSeparator: { !$0.isNumber }).map { Int64($0) }
            guard digits.count == 7, let year = digits[0], let month = digits[1], let day = digits[2], let hour = digits[3],
                  let minute = digits[4], let second = digits[5], let micros = digits[6] else { return nil }
            let seconds = CivilTime.days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
            return seconds * 1_000 + micros / 1_000
        }

        /// With `clock.start: now`, `time` is anchored where pacing begins: a record's wall-clock
        /// stamp (taken when it was handed to Kafka, after it fell due) is never before its
        /// `time`, and the earliest records are stamped within a few ms of it. Anchored at
        /// set-up (before connecting to Kafka), every `time` was 10-30 ms before its instant.
        @Test("real time, clock.start now: each record's time is the instant it was paced for", .timeLimit(.minutes(10)))
        func timeIsThePacedInstant() async throws {
            let fixture = try DaemonKafkaFixture()
            let yaml = configYAML(top: "clock: {mode: realtime}\nmetrics: {listen: \"\"}")
                .replacingOccurrences(of: "total_duration: 10", with: "total_duration: 2")
                .replacingOccurrences(of: "rate: 5.0", with: "rate: 100.0")
            let configuration = fixture.configure(try Configuration.parse(yaml: yaml))
            let expected = try generatedLines(configuration)
            let (status, records) = try await onThread { [configuration] in
                let run = DaemonRun(configuration: configuration, options: RunOptions())
                return (run.waitForStatus(timeout: 60), try fixture.consume(expecting: expected))
            }
            #expect(status == 0)
            var offsets: [Int64] = []  // stamp - time, ms
            for record in records where record.header("event-type") != Array("watermark".utf8) {
                let line = String(decoding: record.value, as: UTF8.self)
                let time = try #require(Self.field(line, "time").flatMap(Self.unixMilliseconds(rfc3339:)), "\(line)")
                offsets.append(record.timestampMs - time)
            }
            offsets.sort()
            #expect(offsets.count == expected.count && offsets.count > 300)
            // Both are rounded down to ms, and the pacer's two clocks are read a few ns apart.
            #expect((offsets.first ?? .min) >= -1, "a record stamped before its time: \(offsets.prefix(5))")
            // The earliest is an event that left on time: its stamp is its time, give or take a ms.
            #expect((offsets.first ?? .max) <= 3, "every record stamped at least \(offsets.first ?? 0) ms after its time")
            print("time vs stamp: \(offsets.count) records, stamp - time min \(offsets.first ?? 0) ms, median \(offsets.isEmpty ? 0 : offsets[offsets.count / 2]) ms")
        }

        @Test func anEventTimeBefore1970IsRefused() {
            let yaml = configYAML(top: "clock: {start: \"1969-12-31T23:59:59Z\"}\nkafka: {record_timestamp: event}")
            #expect(problems(yaml) == [
                "clock.start: kafka.record_timestamp: event needs a start at or after 1970-01-01T00:00:00Z, as Kafka timestamps cannot be negative (got 1969-12-31T23:59:59.000000Z)"])
            #expect(problems(configYAML(top: "kafka: {record_timestamp: virtual}")) == [
                "kafka.record_timestamp: must be wall or event (got virtual)"])
        }
    }
}
