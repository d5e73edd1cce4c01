import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig

/// The fields of an event value the checks need.
struct EventFields: Decodable {
    var type: String
    var schemaVersion: Int
    var runId: String
    var seq: UInt64?
    var timeS: Double
    var sessionId: String?
    var turn: Int?
    var turns: Int?
    var reason: String?
    var afterSeq: UInt64?
    var topic: String?
    var partition: Int32?
}

/// A consumed record with its value decoded.
struct DecodedRecord {
    var record: ConsumedRecord
    var text: String
    var fields: EventFields

    var isWatermark: Bool { fields.type == "watermark" }
    var seq: UInt64 { fields.seq ?? .max }

    /// The `time_s` number exactly as written in the value.
    var timeText: String? {
        guard let start = text.range(of: ",\"time_s\":") else { return nil }
        return String(text[start.upperBound...].prefix { $0 != "," && $0 != "}" })
    }

    static func decode(_ records: [ConsumedRecord]) throws -> [DecodedRecord] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try records.map { record in
            DecodedRecord(record: record, text: String(decoding: record.value, as: UTF8.self),
                          fields: try decoder.decode(EventFields.self, from: Data(record.value)))
        }
    }
}

/// What `checkKafkaStream` found, for tests that look further.
struct StreamFacts {
    var dataRecords = 0
    var watermarkRecords = 0
    var sessions = 0
    var shutdownEnds = 0
}

/// Checks the records of both topics of one run against the event schema and the Kafka
/// record rules (see the Event schema article), recording an issue for each rule broken:
/// - the data values sorted by `seq` are exactly `expectedLines` (so each event arrived
///   exactly once and is byte-identical to `generate`'s line), or, when `expectedLines`
///   is nil, the `seq`s are unique and consecutive from 0;
/// - key = session_id, partition = murmur2(key) mod partitions, topic by event type;
/// - headers event-type, schema-version, run-id, virtual-time; record timestamps are
///   wall-clock times within `wallClock` (milliseconds, a second's slack either side);
/// - within each partition, data records in `seq` order; per session, session_started,
///   turns 1...n, session_ended (by `seq`, across both topics);
/// - watermarks on every partition of both topics, monotone, and never above the
///   `time_s` of a later data record on their partition.
@discardableResult
func checkKafkaStream(
    _ records: [ConsumedRecord], expectedLines: [String]?, runID: String, topics: KafkaTopics,
    partitions: [String: Int32], producedDuring wallClock: ClosedRange<Date>? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> StreamFacts {
    let decoded = try DecodedRecord.decode(records)
    var facts = StreamFacts()
    var problems: [String] = []
    func problem(_ text: String) {
        if problems.count < 20 { problems.append(text) }
    }

    let wallMs = wallClock.map {
        Int64($0.lowerBound.timeIntervalSince1970 * 1000) - 1000...Int64($0.upperBound.timeIntervalSince1970 * 1000) + 1000
    }

    // Every record: headers, timestamp and identity.
    for r in decoded {
        let where_ = "\(r.record.topic)[\(r.record.partition)]@\(r.record.offset)"
        if let wallMs, !wallMs.contains(r.record.timestampMs) { problem("\(where_): timestamp \(r.record.timestampMs) outside the run \(wallMs)") }
        if r.record.header("event-type") != Array(r.fields.type.utf8) { problem("\(where_): event-type header \(String(decoding: r.record.header("event-type") ?? [], as: UTF8.self)) for \(r.fields.type)") }
        if r.record.header("schema-version") != Array("1".utf8) || r.fields.schemaVersion != 1 { problem("\(where_): schema version") }
        if r.record.header("run-id") != Array(runID.utf8) || r.fields.runId != runID { problem("\(where_): run id") }
        if r.record.header("virtual-time").map({ String(decoding: $0, as: UTF8.self) }) != r.timeText { problem("\(where_): virtual-time header differs from time_s \(r.timeText ?? "?")") }
        if r.isWatermark {
            facts.watermarkRecords += 1
            if r.fields.topic != r.record.topic || r.fields.partition != r.record.partition { problem("\(where_): watermark names \(r.fields.topic ?? "?")[\(r.fields.partition ?? -1)]") }
            continue
        }
        facts.dataRecords += 1
        let expectedTopic = r.fields.type == "request" ? topics.requests : topics.sessions
        if r.record.topic != expectedTopic { problem("\(where_): \(r.fields.type) on the wrong topic") }
        guard let session = r.fields.sessionId, r.fields.seq != nil else {
            problem("\(where_): no session_id or seq")
            continue
        }
        if r.record.key != Array(session.utf8) { problem("\(where_): key \(String(decoding: r.record.key, as: UTF8.self)) != session_id \(session)") }
        let count = partitions[r.record.topic] ?? 1
        let expectedPartition = Murmur2.partition(forKey: r.record.key, partitionCount: count)
        if r.record.partition != expectedPartition { problem("\(where_): partition != murmur2 partition \(expectedPartition)") }
        if r.fields.reason == "shutdown" { facts.shutdownEnds += 1 }
    }

    // Exactly once, identical to generate.
    let data = decoded.filter { !$0.isWatermark }.sorted { $0.seq < $1.seq }
    let seqs = data.map(\.seq)
    let duplicates = zip(seqs, seqs.dropFirst()).filter { $0 == $1 }.count
    if duplicates > 0 { problem("\(duplicates) duplicated seq") }
    if let expectedLines {
        let values = data.map(\.text)
        if values != expectedLines {
            let firstDifference = values.indices.first { $0 >= expectedLines.count || values[$0] != expectedLines[$0] }
            problem("values differ from generate: \(values.count) records, \(expectedLines.count) lines; first difference at \(firstDifference.map(String.init) ?? "the end"): \(firstDifference.map { values[$0].prefix(200) } ?? "")")
        }
    } else if Set(seqs) != Set(0..<UInt64(seqs.count)) {
        problem("seqs are not exactly 0..<\(seqs.count): max \(seqs.last ?? 0), unique \(Set(seqs).count)")
    }

    // Per partition: data in seq order; watermarks monotone and never above a later event.
    var byPartition: [String: [DecodedRecord]] = [:]
    for r in decoded { byPartition["\(r.record.topic)[\(r.record.partition)]", default: []].append(r) }
    for (topic, count) in partitions.sorted(by: { $0.key < $1.key }) {
        for partition in 0..<count {
            let name = "\(topic)[\(partition)]"
            let list = (byPartition[name] ?? []).sorted { $0.record.offset < $1.record.offset }
            if !list.contains(where: \.isWatermark) { problem("\(name): no watermark") }
            var lastSeq: UInt64?
            var lastWatermark = -Double.infinity
            for r in list {
                if r.isWatermark {
                    if r.fields.timeS < lastWatermark { problem("\(name)@\(r.record.offset): watermark \(r.fields.timeS) after \(lastWatermark)") }
                    lastWatermark = r.fields.timeS
                } else {
                    if let lastSeq, r.seq <= lastSeq { problem("\(name)@\(r.record.offset): seq \(r.seq) after \(lastSeq)") }
                    lastSeq = r.seq
                    if r.fields.timeS < lastWatermark { problem("\(name)@\(r.record.offset): time_s \(r.fields.timeS) below the earlier watermark \(lastWatermark)") }
                }
            }
        }
    }

    // Per session, by seq across the two topics.
    var bySession: [String: [DecodedRecord]] = [:]
    for r in data { bySession[r.fields.sessionId ?? "", default: []].append(r) }
    facts.sessions = bySession.count
    for (session, events) in bySession {
        let types = events.map(\.fields.type)
        let turns = events.dropFirst().dropLast().map { $0.fields.turn ?? -1 }
        let n = turns.count
        guard types.first == "session_started", types.last == "session_ended", types.count >= 2,
              types.dropFirst().dropLast().allSatisfy({ $0 == "request" }),
              turns == (0..<n).map({ $0 + 1 }), events.last?.fields.turns == n else {
            problem("session \(session): \(zip(types, events.map { $0.fields.turn.map(String.init) ?? "" }).map { "\($0)\($1)" })")
            continue
        }
    }

    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))", sourceLocation: sourceLocation)
    return facts
}
