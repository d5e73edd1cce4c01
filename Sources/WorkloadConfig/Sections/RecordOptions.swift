import WorkloadModel

/// Which time a Kafka record's timestamp (CreateTime) carries.
package enum RecordTimestamp: String, Sendable, Equatable, CaseIterable {
    /// The wall clock when the record is produced (the default).
    case wall
    /// The event's own time: the run's anchor (`clock.start`) plus `time_s`,
    /// in milliseconds, so that stream processors window by event time.
    case event
}

/// `kafka.record_timestamp` and `kafka.routing_headers`.
extension Configuration {
    static let recordOptionKeys = ["record_timestamp", "routing_headers"]

    static func readRecordOptions(_ object: ConfigObject, reader: ConfigReader, into kafka: inout KafkaConfiguration) {
        let name = object.string("record_timestamp", default: RecordTimestamp.wall.rawValue)
        if let parsed = RecordTimestamp(rawValue: name) {
            kafka.recordTimestamp = parsed
        } else {
            let names = RecordTimestamp.allCases.map(\.rawValue)
            reader.report(object.path("record_timestamp"), "must be wall or event (got \(name))\(KeySuggestion.hint(for: name, in: names))")
        }
        kafka.routingHeaders = object.bool("routing_headers", default: false)
    }

    /// Kafka takes a negative timestamp for "none": event time needs an
    /// anchor at or after 1970.
    static func checkRecordTimestamp(_ kafka: KafkaConfiguration, clock: ClockConfiguration, reader: ConfigReader) {
        guard kafka.recordTimestamp == .event, let start = clock.startUnixNanoseconds, start < 0 else { return }
        reader.report("clock.start", "kafka.record_timestamp: event needs a start at or after 1970-01-01T00:00:00Z, as Kafka timestamps cannot be negative (got \(text(start)))")
    }

    private static func text(_ unixNanoseconds: Int64) -> String {
        var writer = ByteWriter(capacity: 32)
        writer.append(rfc3339: unixNanoseconds)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
