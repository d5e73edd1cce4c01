import Foundation

/// The fields of one stream line that `stats` reads, scanned from its bytes
/// with the trace readers' `JSONLineScanner` (no dictionary, no boxed numbers:
/// a day-long stream has millions of lines). A key whose value has the wrong
/// type reads as absent, as a cast of the parsed JSON would.
struct StreamLine {
    /// A routing tag's value: a name, or a value that is not a string (`null`: no adapter).
    enum Tag: Equatable {
        case name(String)
        case notAString

        var name: String? { if case .name(let text) = self { text } else { nil } }
    }

    var type: String?
    var time: Double?
    var profile: String?
    var conversationalTurn = false
    var streaming = false
    var beganBeforeRun = false
    var promptTokens: Double?
    var outputTokens: Double?
    var newInputTokens: Double?
    var turn: Int?
    /// `session_ended`'s turn count.
    var turns: Double?
    var reason: String?
    var sessionID: String?
    var requestID: String?
    var sentAt: Double?
    var dependsOnLast: String?
    var hashIDs: [UInt64]?
    /// tenant, model, adapter, slo_class, in `TagStatistics.fields` order.
    var tags: [Tag?] = [nil, nil, nil, nil]
    var hasTagFields = false
    var reasoningTokens: Int64?
    var imageTokens: Int64?
    /// Agent calls: `call_kind`, `tool_calls`, `prefix_tokens`, `delay_s`.
    var callKind: String?
    var toolCalls: Int?
    var prefixTokens: Double?
    var delay: Double?

    /// The line's fields, or `nil` when it is not one JSON object.
    static func scan(_ line: UnsafeBufferPointer<UInt8>) -> StreamLine? {
        var fields = StreamLine()
        var scanner = JSONLineScanner(line)
        do {
            try scanner.members { (key, value, _) throws(RowError) in try fields.read(key, value, line) }
        } catch {
            return nil
        }
        return fields
    }

    private mutating func read(_ key: UnsafeBufferPointer<UInt8>, _ value: JSONLineScanner.Value, _ line: UnsafeBufferPointer<UInt8>) throws(RowError) {
        // A malformed number makes the whole line malformed, as for a JSON parser.
        var number: Double?
        if case .number(let bytes) = value {
            guard let parsed = FieldParsing.jsonNumber(bytes) else { throw RowError(offset: 0, message: "bad number") }
            number = parsed
        }
        switch key.count {
        case 4 where Self.equal(key, "type"): type = Self.text(value)
        case 4 where Self.equal(key, "turn"): turn = number.flatMap { Int(exactly: $0.rounded(.towardZero)) }
        case 5 where Self.equal(key, "turns"): turns = number
        case 5 where Self.equal(key, "model"): tag(1, value)
        case 6 where Self.equal(key, "time_s"): time = number
        case 6 where Self.equal(key, "reason"): reason = Self.text(value)
        case 6 where Self.equal(key, "tenant"): tag(0, value)
        case 7 where Self.equal(key, "profile"): profile = Self.text(value)
        case 7 where Self.equal(key, "adapter"): tag(2, value)
        case 7 where Self.equal(key, "delay_s"): delay = number
        case 9 where Self.equal(key, "call_kind"): callKind = Self.text(value)
        case 10 where Self.equal(key, "tool_calls"): toolCalls = number.flatMap { Int(exactly: $0.rounded(.towardZero)) }
        case 13 where Self.equal(key, "prefix_tokens"): prefixTokens = number
        case 8 where Self.equal(key, "hash_ids"):
            if case .array(let start) = value {
                hashIDs = (try? JSONLineScanner.integers(in: line, at: start))?.map { UInt64(bitPattern: $0) }
            }
        case 9 where Self.equal(key, "streaming"): streaming = Self.isTrue(value)
        case 9 where Self.equal(key, "slo_class"): tag(3, value)
        case 9 where Self.equal(key, "sent_at_s"): sentAt = number
        case 10 where Self.equal(key, "session_id"): sessionID = Self.text(value)
        case 10 where Self.equal(key, "request_id"): requestID = Self.text(value)
        case 10 where Self.equal(key, "depends_on"):
            if case .array(let start) = value, let names = try JSONLineScanner.strings(in: line, at: start) {
                dependsOnLast = names.last.map { Self.decode($0) }
            }
        case 12 where Self.equal(key, "image_tokens"):
            hasTagFields = true
            imageTokens = number.flatMap(Self.integer)
        case 13 where Self.equal(key, "prompt_tokens"): promptTokens = number
        case 13 where Self.equal(key, "output_tokens"): outputTokens = number
        case 16 where Self.equal(key, "began_before_run"): beganBeforeRun = Self.isTrue(value)
        case 16 where Self.equal(key, "new_input_tokens"): newInputTokens = number
        case 16 where Self.equal(key, "reasoning_tokens"):
            hasTagFields = true
            reasoningTokens = number.flatMap(Self.integer)
        case 22 where Self.equal(key, "is_conversational_turn"): conversationalTurn = Self.isTrue(value)
        default: break
        }
    }

    private mutating func tag(_ index: Int, _ value: JSONLineScanner.Value) {
        hasTagFields = true
        tags[index] = Self.text(value).map(Tag.name) ?? .notAString
    }

    /// A number as a 64-bit integer, cut toward zero (`nil` beyond the range).
    static func integer(_ value: Double) -> Int64? { Int64(exactly: value.rounded(.towardZero)) }

    static func isTrue(_ value: JSONLineScanner.Value) -> Bool {
        if case .boolean(true) = value { true } else { false }
    }

    static func text(_ value: JSONLineScanner.Value) -> String? {
        if case .string(let bytes) = value { return decode(bytes) }
        return nil
    }

    /// A string's content: its bytes, or with escapes through a JSON parser (rare).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
        let quoted = Data([UInt8(ascii: "\"")] + Array(bytes) + [UInt8(ascii: "\"")])
        return (try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed)) as? String
            ?? String(decoding: bytes, as: UTF8.self)
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        TraceRowParser.equal(bytes, text)
    }
}
