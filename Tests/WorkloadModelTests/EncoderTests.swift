import Foundation
import Testing
@testable import WorkloadModel

@Suite struct EncoderTests {
    @Test func rfc3339AgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var rng = Xoshiro256(seed: 12)
        // Whole-millisecond instants from 1900 to 2200 (Foundation prints milliseconds).
        for _ in 0..<2000 {
            let millis = Int64(rng.nextBelow(9_467_280_000_000)) - 2_208_988_800_000
            var writer = ByteWriter()
            writer.append(rfc3339: millis * 1_000_000)
            let ours = String(decoding: writer.bytes, as: UTF8.self)
            let theirs = formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
            // Ours has microseconds: drop the last three digits to compare.
            #expect(String(ours.dropLast(4)) + "Z" == theirs, "\(millis)")
        }
        for days in stride(from: Int64(-800_000), to: 800_000, by: 997) {
            let date = CivilTime.date(fromDays: days)
            #expect(CivilTime.days(year: date.year, month: date.month, day: date.day) == days)
        }
    }

    /// Seconds with nine decimals and RFC 3339's microseconds (written as independent digit
    /// pairs) against the same figures formatted by the standard library, for instants of any
    /// magnitude and sign, leading zeros included.
    @Test func secondsAndMicrosecondsMatchTheStandardLibrary() {
        func padded(_ value: UInt64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var rng = Xoshiro256(seed: 31)
        var values: [Int64] = [0, 1, 999_999_999, 1_000_000_000, 1_000_000_001, -1, -1_000_000_000, .max, .min, .min + 1]
        for _ in 0..<3000 {
            let scale = Int64(1) << Int64(rng.nextBelow(63))
            let value = Int64(bitPattern: rng.next()) % scale
            values.append(value)
        }
        var writer = ByteWriter()
        for value in values {
            writer.removeAll()
            writer.append(seconds: value)
            let magnitude = value.magnitude
            let expected = (value < 0 ? "-" : "") + String(magnitude / 1_000_000_000) + "." + padded(magnitude % 1_000_000_000, 9)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == expected, "\(value)")
            guard value > .min + 1_000_000_000 else { continue }
            writer.removeAll()
            writer.append(rfc3339: value)
            // Microseconds truncated towards the past, as the whole seconds are.
            let micros = (value >= 0 ? value / 1000 : (value - 999) / 1000) % 1_000_000
            let fraction = String(decoding: writer.bytes, as: UTF8.self).dropFirst(20).prefix(6)
            #expect(fraction == padded(UInt64(micros < 0 ? micros + 1_000_000 : micros), 6), "\(value)")
        }
    }

    @Test func numbersAndSecondsAreExact() {
        var writer = ByteWriter()
        for value: Int64 in [0, 7, -7, 10, 99, 1_000_000, .max, .min + 1] {
            writer.removeAll()
            writer.append(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
        }
        writer.removeAll()
        writer.append(seconds: 1_500_000_001)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "1.500000001")
        writer.removeAll()
        writer.append(hex: 0x00ab_cdef_0123_4567)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "00abcdef01234567")
    }

    @Test func eventsAreValidJSONWithTheirValues() throws {
        let names = ["chat \"quoted\" \\ back\nslash", "code"]
        let encoder = EventEncoder(runID: "run-1", seed: 99, startUnixNanoseconds: 1_767_225_600_000_000_000, profileNames: names)
        let request = RequestEvent(
            seq: 12, time: 3_000_000_123, sentAt: 2_999_000_000, sessionID: 0xDEAD_BEEF, profile: 0, client: 42,
            turn: 2, streaming: true, newInputTokens: 100, prefixTokens: 290,
            maxOutputTokens: 500, outputTokens: 60, priority: -1, payloadBytes: 780)
        var writer = ByteWriter()
        encoder.encode(.request(request), into: &writer)
        #expect(writer.bytes.last == 0x0A)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(object["type"] as? String == "request")
        #expect(object["schema_version"] as? Int == 1)
        #expect(object["run_id"] as? String == "run-1")
        #expect(object["seq"] as? Int == 12)
        #expect(object["time_s"] as? Double == 3.000000123)
        #expect(object["time"] as? String == "2026-01-01T00:00:03.000000Z")
        #expect(object["session_id"] as? String == "00000000deadbeef")
        #expect(object["request_id"] as? String == "00000000deadbeef-2")
        #expect(object["client_id"] as? String == names[0] + "-42")
        #expect(object["profile"] as? String == names[0])
        #expect(object["turn"] as? Int == 2)
        #expect(object["is_conversational_turn"] as? Bool == true)
        #expect(object["prompt_tokens"] as? Int == 390)
        #expect(object["new_input_tokens"] as? Int == 100)
        #expect(object["prefix_tokens"] as? Int == 290)
        #expect(object["max_output_tokens"] as? Int == 500)
        #expect(object["output_tokens"] as? Int == 60)
        #expect(object["streaming"] as? Bool == true)
        #expect(object["priority"] as? Int == -1)
        #expect(object["payload_bytes"] as? Int == 780)
        #expect(object["sent_at_s"] as? Double == 2.999)

        writer.removeAll()
        encoder.encode(.sessionEnded(SessionEndedEvent(
            seq: 13, time: 4_000_000_000, lastRequestTime: 3_000_000_123, sessionID: 1, profile: 1, client: 0,
            reason: .maxTurns, turns: 10, totalPromptTokens: 5000, totalOutputTokens: 900)), into: &writer)
        let ended = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(ended["type"] as? String == "session_ended")
        #expect(ended["reason"] as? String == "max_turns")
        #expect(ended["turns"] as? Int == 10)
        #expect(ended["total_prompt_tokens"] as? Int == 5000)
        #expect(ended["total_output_tokens"] as? Int == 900)

        writer.removeAll()
        encoder.encodeWatermark(time: 5_000_000_000, afterSeq: 13, topic: "llm.requests", partition: 3, into: &writer)
        let mark = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(mark["type"] as? String == "watermark")
        #expect(mark["partition"] as? Int == 3)
        #expect(mark["after_seq"] as? Int == 13)
        #expect(mark["shard"] as? Int == 0)
        #expect(mark["shards"] as? Int == 1)
        #expect(mark["final"] == nil)

        writer.removeAll()
        encoder.encodeWatermark(time: 5_000_000_000, afterSeq: nil, topic: "llm.requests", partition: 3,
                                shard: 2, shards: 3, final: true, into: &writer)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(last["shard"] as? Int == 2)
        #expect(last["shards"] as? Int == 3)
        #expect(last["final"] as? Bool == true)
        #expect(last["after_seq"] == nil)
    }

    /// The two-digits-at-a-time formatting against the standard library's.
    @Test func digitsAgreeWithStringConversion() {
        var rng = Xoshiro256(seed: 5)
        var writer = ByteWriter(capacity: 16)
        // Every digit count's edges (the formatter splits at 10^8 and 10^16).
        var power: UInt64 = 1
        var edges: [UInt64] = [0, UInt64.max, UInt64.max - 1]
        for _ in 0..<19 {
            edges += [power - 1, power, power + 1]
            power *= 10
        }
        for value in edges {
            writer.removeAll()
            writer.append(unsigned: value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
        }
        for _ in 0..<5000 {
            let value = rng.next() >> (rng.next() % 64)
            writer.removeAll()
            writer.append(unsigned: value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
            let width = Int(rng.nextBelow(12)) + 1
            writer.removeAll()
            writer.append(padded: value, width: width)
            var modulus: UInt64 = 1
            for _ in 0..<width { modulus = modulus.multipliedReportingOverflow(by: 10).partialValue }
            let expected = String(width >= 20 ? value : value % modulus)
            #expect(String(decoding: writer.bytes, as: UTF8.self)
                == String(repeating: "0", count: max(0, width - expected.count)) + expected)
        }
    }

    /// An event with the longest numbers and long names fits the room the
    /// encoder reserves (writing past it would trap), and a writer grows
    /// past its initial capacity.
    @Test func extremeEventsFitTheReservedRoom() {
        let long = String(repeating: "\u{1}\"", count: 40)
        let encoder = EventEncoder(runID: long, seed: .max, startUnixNanoseconds: .max / 2, profileNames: [long, "p"])
        let request = RequestEvent(
            seq: .max, time: .min, sentAt: .min, sessionID: .max, profile: 0, client: .min, turn: .min,
            streaming: false, newInputTokens: .min, prefixTokens: .min,
            maxOutputTokens: .min, outputTokens: .min, priority: .min, payloadBytes: .min)
        let ended = SessionEndedEvent(
            seq: .max, time: .min, lastRequestTime: .min, sessionID: .max, profile: 0, client: .min,
            reason: .shutdown, turns: .min, totalPromptTokens: .min, totalOutputTokens: .min)
        let started = SessionStartedEvent(seq: .max, time: .min, sessionID: .max, profile: 0, client: .min, conversational: false)
        var writer = ByteWriter(capacity: 16)
        for event in [Event.request(request), .sessionEnded(ended), .sessionStarted(started)] {
            var one = ByteWriter(capacity: 16)
            encoder.encode(event, into: &one)
            #expect(one.count <= encoder.maximumEventBytes)
            encoder.encode(event, into: &writer)
        }
        #expect(writer.count > 1000)
        #expect(writer.bytes.filter { $0 == 0x0A }.count == 3)
    }
}
