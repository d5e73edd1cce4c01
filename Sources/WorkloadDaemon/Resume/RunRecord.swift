import WorkloadModel
import WorkloadConfig

/// What a state directory records of its run: enough to tell a
/// later start whether it continues the same run. A run is its
/// configuration (the canonical text's hash), seed, bounds and start anchor;
/// the shard is recorded too, since a state directory belongs to one producer.
struct RunRecord: Equatable, Sendable {
    static let version = 2

    var runID: String
    /// `Configuration.textHash`: the configuration file's canonical text.
    var configuration: UInt64
    var seed: UInt64
    var totalDuration: Double?
    var totalRequests: Int?
    /// The Unix instant virtual time 0 stands for (`clock.start`, or the first start's "now").
    var anchorUnixNanoseconds: Int64
    /// Whether `clock.start` was given (else the anchor was chosen by the first start).
    var anchorWasGiven: Bool
    var shard: Shard

    /// The record of `configuration` (its `runID` already anchored) started at `anchor`.
    init(_ configuration: Configuration, anchorUnixNanoseconds anchor: Int64, shard: Shard?) {
        self.init(configuration, identity: RunIdentity(configuration: configuration, anchorUnixNanoseconds: anchor), shard: shard)
        runID = configuration.runID
    }

    /// The record of `configuration` started as the run `identity`.
    init(_ configuration: Configuration, identity: RunIdentity, shard: Shard?) {
        runID = identity.runID
        self.configuration = configuration.textHash
        seed = identity.seed
        totalDuration = configuration.workload.totalDuration
        totalRequests = configuration.workload.totalRequests
        anchorUnixNanoseconds = identity.anchorUnixNanoseconds
        anchorWasGiven = configuration.clock.startUnixNanoseconds != nil
        self.shard = shard ?? Shard(index: 0, count: 1)
    }

    /// The file's text: one `key value` a line, the last the CRC-32C of the lines before it
    /// (a changed digit in the anchor would otherwise continue a run with other times).
    var text: String {
        let body = """
        # llm-workload run state: written by `run --state-dir`; do not edit
        version \(RunRecord.version)
        run_id \(runID)
        configuration \(String(configuration, radix: 16))
        seed \(seed)
        total_duration \(totalDuration.map { String($0) } ?? "null")
        total_requests \(totalRequests.map { String($0) } ?? "null")
        anchor_unix_ns \(anchorUnixNanoseconds)
        anchor_given \(anchorWasGiven)
        shard \(shard)

        """
        return body + "checksum " + Self.hex(CRC32C.checksum(Array(body.utf8))) + "\n"
    }

    private static func hex(_ crc: UInt32) -> String {
        let digits = String(crc, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Parses `text`; nil when it is not a whole, unchanged record this build wrote (or one of
    /// version 1, which had no checksum).
    init?(text: String) {
        let bytes = Array(text.utf8)
        var body = bytes[...]
        var version = 1
        if let marker = Self.lastChecksumLine(bytes) {
            body = bytes[..<marker]
            let line = String(decoding: bytes[marker...], as: UTF8.self)
            guard line == "checksum " + Self.hex(CRC32C.checksum(body)) + "\n" else { return nil }
            version = RunRecord.version
        }
        var fields: [String: String] = [:]
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.firstIndex(of: " ") else { return nil }
            fields[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        guard fields["version"] == String(version), fields["checksum"] == nil,
              let runID = fields["run_id"],
              let configuration = fields["configuration"].flatMap({ UInt64($0, radix: 16) }),
              let seed = fields["seed"].flatMap({ UInt64($0) }),
              let duration = fields["total_duration"], let requests = fields["total_requests"],
              let anchor = fields["anchor_unix_ns"].flatMap({ Int64($0) }),
              let given = fields["anchor_given"].flatMap({ Bool($0) }),
              let shard = fields["shard"].flatMap({ Shard(parsing: $0) })
        else { return nil }
        self.runID = runID
        self.configuration = configuration
        self.seed = seed
        totalDuration = duration == "null" ? nil : Double(duration)
        totalRequests = requests == "null" ? nil : Int(requests)
        anchorUnixNanoseconds = anchor
        anchorWasGiven = given
        self.shard = shard
    }

    /// Where the text's last line begins when it is a `checksum` line.
    private static func lastChecksumLine(_ bytes: [UInt8]) -> Int? {
        let withoutNewline = bytes.last == UInt8(ascii: "\n") ? bytes.dropLast() : bytes[...]
        let start = withoutNewline.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        return bytes[start...].starts(with: "checksum ".utf8) ? start : nil
    }

    /// What differs from `other` (the recorded run), one phrase each; empty when it is the same run.
    func differences(from recorded: RunRecord) -> [String] {
        var found: [String] = []
        func compare<T: Equatable>(_ name: String, _ mine: T, _ theirs: T, _ show: (T) -> String) {
            if mine != theirs { found.append("\(name) \(show(theirs)) -> \(show(mine))") }
        }
        compare("configuration file (canonical text hash)", configuration, recorded.configuration) { String($0, radix: 16) }
        compare("seed", seed, recorded.seed) { String($0) }
        compare("total_duration", totalDuration, recorded.totalDuration) { $0.map { String($0) } ?? "null" }
        compare("total_requests_to_generate", totalRequests, recorded.totalRequests) { $0.map { String($0) } ?? "null" }
        if anchorWasGiven || recorded.anchorWasGiven {
            compare("clock.start (Unix ns)", anchorWasGiven ? String(anchorUnixNanoseconds) : "now",
                    recorded.anchorWasGiven ? String(recorded.anchorUnixNanoseconds) : "now") { $0 }
        }
        compare("shard", shard, recorded.shard) { "\($0)" }
        if found.isEmpty { compare("run_id", runID, recorded.runID) { $0 } }
        return found
    }
}
