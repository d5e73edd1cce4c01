import WorkloadModel
import WorkloadConfig

/// Reads one line of a trace into a `TraceRow`, per format. CSV formats check
/// their header first; JSON Lines formats have none.
struct TraceRowParser {
    let format: TraceFormat
    /// BurstGPT: the positions of the columns we read, from the header.
    var timestampColumn = 0
    var promptColumn = 1
    var outputColumn = 2
    var sessionColumn: Int?
    /// BurstGPT's `Model` column, read only when asked (`fit`).
    var modelColumn: Int?
    var columnCount = 3

    init(format: TraceFormat) { self.format = format }

    var hasHeader: Bool { format == .azure || format == .burstgpt }

    static let azureHeader = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"]
    static let burstHeader = ["Timestamp", "Model", "Request tokens", "Response tokens", "Total tokens", "Log Type"]

    /// Checks the header line and learns the column positions.
    mutating func readHeader(_ line: UnsafeBufferPointer<UInt8>) throws(RowError) {
        let names = String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
        switch format {
        case .azure:
            guard names == Self.azureHeader else {
                throw RowError(offset: 0, message: "header must be \(Self.azureHeader.joined(separator: ",")) for format azure (got \(names.joined(separator: ",")))")
            }
        case .burstgpt:
            func column(_ name: String) throws(RowError) -> Int {
                guard let index = names.firstIndex(of: name) else {
                    throw RowError(offset: 0, message: "header has no '\(name)' column for format burstgpt (expected \(Self.burstHeader.joined(separator: ","))[,Session ID]; got \(names.joined(separator: ",")))")
                }
                return index
            }
            timestampColumn = try column("Timestamp")
            promptColumn = try column("Request tokens")
            outputColumn = try column("Response tokens")
            sessionColumn = names.firstIndex(of: "Session ID")
            modelColumn = names.firstIndex(of: "Model")
            columnCount = names.count
        case .mooncake, .jsonl, .agenticMooncake:
            break
        }
    }

    /// The row of a data line; `nil` for a line that is not a request (our
    /// JSON Lines' session and watermark events, blank lines).
    func row(_ line: UnsafeBufferPointer<UInt8>) throws(RowError) -> TraceRow? {
        switch format {
        case .azure, .burstgpt: return try csvRow(line)
        case .mooncake: return try mooncakeRow(line)
        case .jsonl: return try eventRow(line)
        case .agenticMooncake: throw RowError(offset: 0, message: "agentic-mooncake is written by generate --format, not read")
        }
    }

    /// The row's `Model` field (BurstGPT), trimmed; nil without the column.
    func model(_ line: UnsafeBufferPointer<UInt8>) -> String? {
        guard let modelColumn else { return nil }
        let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard modelColumn < fields.count else { return nil }
        let name = String(decoding: fields[modelColumn], as: UTF8.self)[...].trimmingSpaces()
        return name.isEmpty ? nil : name
    }

    func csvRow(_ line: UnsafeBufferPointer<UInt8>) throws(RowError) -> TraceRow? {
        var starts: [Int] = [0]
        starts.reserveCapacity(columnCount + 1)
        for (k, b) in line.enumerated() where b == UInt8(ascii: ",") { starts.append(k + 1) }
        guard starts.count == columnCount else {
            throw RowError(offset: 0, message: "expected \(columnCount) columns (got \(starts.count))")
        }
        func field(_ n: Int) -> (UnsafeBufferPointer<UInt8>, Int) {
            let from = starts[n]
            let to = n + 1 < starts.count ? starts[n + 1] - 1 : line.count
            return (UnsafeBufferPointer(rebasing: line[from..<to]), from)
        }
        let (stamp, stampAt) = field(timestampColumn)
        let timestamp = format == .azure ? FieldParsing.dateTime(stamp) : FieldParsing.scaledDecimal(stamp, scale: 9)
        guard let timestamp else {
            let expected = format == .azure ? "a time such as 2023-11-16 18:15:46.6805900" : "seconds"
            throw RowError(offset: stampAt, message: "bad timestamp '\(String(decoding: stamp, as: UTF8.self))' (expected \(expected))")
        }
        let (promptText, promptAt) = field(promptColumn)
        let prompt = try tokens(promptText, at: promptAt, minimum: 1, name: format == .azure ? "ContextTokens" : "Request tokens")
        let (outputText, outputAt) = field(outputColumn)
        let output = try tokens(outputText, at: outputAt, minimum: 0, name: format == .azure ? "GeneratedTokens" : "Response tokens")
        var key: UInt64?
        if let sessionColumn {
            let (text, _) = field(sessionColumn)
            if !text.isEmpty { key = Self.digest(text) }
        }
        return TraceRow(timestamp: timestamp, promptTokens: prompt, outputTokens: output, sessionKey: key)
    }

    func tokens(_ text: UnsafeBufferPointer<UInt8>, at offset: Int, minimum: Int64, name: String) throws(RowError) -> Int64 {
        guard let value = FieldParsing.integer(text), value >= minimum else {
            throw RowError(offset: offset, message: "\(name) must be an integer >= \(minimum) (got '\(String(decoding: text, as: UTF8.self))')")
        }
        return value
    }

    func mooncakeRow(_ line: UnsafeBufferPointer<UInt8>) throws(RowError) -> TraceRow? {
        var timestamp: Int64?
        var prompt: Int64?
        var output: Int64?
        var hashIDs: [Int64]?
        var scanner = JSONLineScanner(line)
        try scanner.members { (key, value, at) throws(RowError) in
            if Self.equal(key, "timestamp") {
                guard case .number(let n) = value, let t = FieldParsing.scaledDecimal(n, scale: 6) else {
                    throw RowError(offset: at, message: "timestamp must be a number of milliseconds")
                }
                timestamp = t
            } else if Self.equal(key, "input_length") {
                prompt = try tokens(value, at: at, minimum: 1, name: "input_length")
            } else if Self.equal(key, "output_length") {
                output = try tokens(value, at: at, minimum: 0, name: "output_length")
            } else if Self.equal(key, "hash_ids") {
                guard case .array(let start) = value else { throw RowError(offset: at, message: "hash_ids must be an array of integers") }
                hashIDs = try JSONLineScanner.integers(in: line, at: start)
            }
        }
        guard let timestamp else { throw RowError(offset: 0, message: "missing key 'timestamp'") }
        guard let prompt else { throw RowError(offset: 0, message: "missing key 'input_length'") }
        guard let output else { throw RowError(offset: 0, message: "missing key 'output_length'") }
        return TraceRow(timestamp: timestamp, promptTokens: prompt, outputTokens: output, hashIDs: hashIDs)
    }

    func eventRow(_ line: UnsafeBufferPointer<UInt8>) throws(RowError) -> TraceRow? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        var isRequest = false
        var time: Int64?
        var sent: Int64?
        var prompt: Int64?
        var output: Int64?
        var key: UInt64?
        var hashIDs: [Int64]?
        var scanner = JSONLineScanner(line)
        try scanner.members { (name, value, at) throws(RowError) in
            if Self.equal(name, "type") {
                if case .string(let s) = value { isRequest = Self.equal(s, "request") }
            } else if Self.equal(name, "time_s") || Self.equal(name, "sent_at_s") {
                guard case .number(let n) = value, let t = FieldParsing.scaledDecimal(n, scale: 9) else {
                    throw RowError(offset: at, message: "\(String(decoding: name, as: UTF8.self)) must be a number of seconds")
                }
                if Self.equal(name, "time_s") { time = t } else { sent = t }
            } else if Self.equal(name, "prompt_tokens") {
                prompt = try tokens(value, at: at, minimum: 1, name: "prompt_tokens")
            } else if Self.equal(name, "output_tokens") {
                output = try tokens(value, at: at, minimum: 0, name: "output_tokens")
            } else if Self.equal(name, "session_id") {
                if case .string(let s) = value { key = Self.digest(s) }
            } else if Self.equal(name, "hash_ids") {
                guard case .array(let start) = value else { throw RowError(offset: at, message: "hash_ids must be an array of integers") }
                hashIDs = try JSONLineScanner.integers(in: line, at: start)
            }
        }
        guard isRequest else { return nil }
        // The client send time, so the link model gives back the arrival.
        guard let timestamp = sent ?? time else { throw RowError(offset: 0, message: "missing key 'sent_at_s' or 'time_s'") }
        guard let prompt else { throw RowError(offset: 0, message: "missing key 'prompt_tokens'") }
        guard let output else { throw RowError(offset: 0, message: "missing key 'output_tokens'") }
        return TraceRow(timestamp: timestamp, promptTokens: prompt, outputTokens: output, sessionKey: key, hashIDs: hashIDs)
    }

    func tokens(_ value: JSONLineScanner.Value, at offset: Int, minimum: Int64, name: String) throws(RowError) -> Int64 {
        guard case .number(let n) = value else {
            throw RowError(offset: offset, message: "\(name) must be an integer >= \(minimum)")
        }
        return try tokens(n, at: offset, minimum: minimum, name: name)
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let other = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return bytes.elementsEqual(other)
    }

    /// A stable digest of a session identity (FNV-1a: the same in every process).
    static func digest(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self[...]
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
