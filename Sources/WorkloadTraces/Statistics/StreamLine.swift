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

    /// A string field's content as it stands in the line, escapes not decoded
    /// (`decode` makes it a `String`): valid while the line is.
    typealias Text = UnsafeBufferPointer<UInt8>

    var type: Text?
    var time: Double?
    var profile: Text?
    var conversationalTurn = false
    var streaming = false
    var beganBeforeRun = false
    var promptTokens: Double?
    var outputTokens: Double?
    var newInputTokens: Double?
    var turn: Int?
    /// `session_ended`'s turn count.
    var turns: Double?
    var reason: Text?
    var sessionID: Text?
    var requestID: Text?
    var sentAt: Double?
    /// The last of `depends_on`'s names, when they are all strings.
    var dependsOnLast: Text?
    var hashIDs: [UInt64]?
    /// tenant, model, adapter, slo_class, in `TagStatistics.fields` order (empty until a tag is read).
    var tags: [Tag?] = []
    var hasTagFields = false
    var reasoningTokens: Int64?
    var imageTokens: Int64?
    /// Agent calls: `call_kind`, `tool_calls`, `prefix_tokens`, `delay_s`.
    var callKind: Text?
    var toolCalls: Int?
    var prefixTokens: Double?
    var delay: Double?

    var profileName: String? { profile.map(Self.decode) }
    var sessionName: String? { sessionID.map(Self.decode) }

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
        case 4 where Self.equal(key, "type"): type = Self.raw(value)
        case 4 where Self.equal(key, "turn"): turn = number.flatMap { Int(exactly: $0.rounded(.towardZero)) }
        case 5 where Self.equal(key, "turns"): turns = number
        case 5 where Self.equal(key, "model"): tag(1, value)
        case 6 where Self.equal(key, "time_s"): time = number
        case 6 where Self.equal(key, "reason"): reason = Self.raw(value)
        case 6 where Self.equal(key, "tenant"): tag(0, value)
        case 7 where Self.equal(key, "profile"): profile = Self.raw(value)
        case 7 where Self.equal(key, "adapter"): tag(2, value)
        case 7 where Self.equal(key, "delay_s"): delay = number
        case 9 where Self.equal(key, "call_kind"): callKind = Self.raw(value)
        case 10 where Self.equal(key, "tool_calls"): toolCalls = number.flatMap { Int(exactly: $0.rounded(.towardZero)) }
        case 13 where Self.equal(key, "prefix_tokens"): prefixTokens = number
        case 8 where Self.equal(key, "hash_ids"):
            if case .array(let start) = value {
                hashIDs = (try? JSONLineScanner.integers(in: line, at: start))?.map { UInt64(bitPattern: $0) }
            }
        case 9 where Self.equal(key, "streaming"): streaming = Self.isTrue(value)
        case 9 where Self.equal(key, "slo_class"): tag(3, value)
        case 9 where Self.equal(key, "sent_at_s"): sentAt = number
        case 10 where Self.equal(key, "session_id"): sessionID = Self.raw(value)
        case 10 where Self.equal(key, "request_id"): requestID = Self.raw(value)
        case 10 where Self.equal(key, "depends_on"):
            if case .array(let start) = value, let names = try JSONLineScanner.strings(in: line, at: start) {
                dependsOnLast = names.last
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
        if tags.isEmpty { tags = [nil, nil, nil, nil] }
        tags[index] = Self.text(value).map(Tag.name) ?? .notAString
    }

    /// A number as a 64-bit integer, cut toward zero (`nil` beyond the range).
    static func integer(_ value: Double) -> Int64? { Int64(exactly: value.rounded(.towardZero)) }

    static func isTrue(_ value: JSONLineScanner.Value) -> Bool {
        if case .boolean(true) = value { true } else { false }
    }

    static func raw(_ value: JSONLineScanner.Value) -> Text? {
        if case .string(let bytes) = value { return bytes }
        return nil
    }

    /// Whether a string field's content is `literal` (decoded and compared as `String`s when it is not plain ASCII).
    static func equals(_ raw: Text, _ literal: StaticString) -> Bool {
        if TraceRowParser.equal(raw, literal) { return true }
        return !StringTable.isPlainASCII(raw) && decode(raw) == String(describing: literal)
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

/// A stream line's `type`.
enum EventType: CaseIterable {
    case request, sessionStarted, sessionEnded, completion, watermark, skipped, other

    var name: StaticString {
        switch self {
        case .request: "request"
        case .sessionStarted: "session_started"
        case .sessionEnded: "session_ended"
        case .completion: "completion"
        case .watermark: "watermark"
        case .skipped: "skipped"
        case .other: ""
        }
    }

    /// The type a `type` field's content names (`other` for any other string).
    init(_ raw: StreamLine.Text) {
        if StringTable.isPlainASCII(raw) {
            self = Self.allCases.first { TraceRowParser.equal(raw, $0.name) } ?? .other
        } else {
            let text = StreamLine.decode(raw)
            self = Self.allCases.first { $0 != .other && text == String(describing: $0.name) } ?? .other
        }
    }
}
