import WorkloadConfig
import WorkloadKafka
import WorkloadModel

/// A record's Kafka timestamp: the wall clock when produced, or (with
/// `kafka.record_timestamp: event`) the event's own time, the run's anchor
/// plus its virtual time, in whole milliseconds (rounded down, like `time`).
package struct RecordStamp: Sendable {
    let eventTime: Bool
    let anchorNanoseconds: Int64

    package static let wall = RecordStamp(eventTime: false, anchorNanoseconds: 0)

    package init(eventTime: Bool, anchorNanoseconds: Int64) {
        self.eventTime = eventTime
        self.anchorNanoseconds = anchorNanoseconds
    }

    package init(_ timestamp: RecordTimestamp, encoder: EventEncoder) {
        self.init(eventTime: timestamp == .event, anchorNanoseconds: encoder.startUnixNanoseconds)
    }

    @inline(__always)
    package func timestampMs(at time: VirtualNanoseconds) -> Int64 {
        guard eventTime else { return wallRealtimeNow() }
        let nanoseconds = anchorNanoseconds &+ time
        return nanoseconds >= 0 ? nanoseconds / 1_000_000 : (nanoseconds - 999_999) / 1_000_000
    }
}

/// `kafka.routing_headers: true`: a request's routing tags as record headers,
/// named as the Gateway API Inference Extension and llm-d read them, so that a
/// bridge can copy them into HTTP as they are. A header whose tag the request
/// has not (no SLO class, no target, no model) is left out.
///
/// The values of one record are written into buffers this object owns, valid
/// until the next call: it belongs to the one sink that produces.
package final class RoutingHeaders {
    /// In this order after the sink's own headers.
    package static let names = [
        "x-gateway-inference-objective", "x-gateway-inference-fairness-id", "x-slo-ttft-ms", "x-slo-tpot-ms",
        "model", "session-id",
    ]
    let tagger: RoutingTagger?
    /// Room for every value of one record (the longest names plus numbers).
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    private let values: UnsafeMutableBufferPointer<UnsafeRawBufferPointer>

    package init(tagger: RoutingTagger?, spec: WorkloadSpec) {
        self.tagger = tagger
        var longest = 0
        for profile in spec.profiles {
            let model = profile.tags.models.map(\.name.utf8.count).max() ?? 0
            let slo = profile.tags.sloClasses.map(\.name.utf8.count).max() ?? 0
            longest = max(longest, model + slo)
        }
        scratch = .allocate(capacity: 256 + longest)
        values = .allocate(capacity: Self.names.count)
        values.initialize(repeating: UnsafeRawBufferPointer(start: nil, count: 0))
    }

    deinit {
        scratch.deallocate()
        values.deallocate()
    }

    /// One value per name of `names` for a request (a value without a base
    /// address is left out); none for other records.
    package func values(for event: Event?) -> UnsafeBufferPointer<UnsafeRawBufferPointer> {
        guard case .request(let request)? = event else { return UnsafeBufferPointer(start: nil, count: 0) }
        let tags = tagger?.tags(for: request)
        let spec = tagger?.spec(ofProfile: request.profile)
        var cursor = ByteCursor(start: scratch.baseAddress!, end: scratch.baseAddress! + scratch.count)
        func value(_ index: Int, _ write: ((inout ByteCursor) -> Void)?) {
            guard let write else {
                values[index] = UnsafeRawBufferPointer(start: nil, count: 0)
                return
            }
            let start = cursor.position
            write(&cursor)
            values[index] = UnsafeRawBufferPointer(start: start, count: cursor.position - start)
        }
        let slo = tags?.sloClass.flatMap { spec?.sloClasses[$0] }
        value(0, slo.map { slo in { $0.appendText(slo.name) } })
        value(1, tags?.tenant.map { tenant in { $0.append("tenant-"); $0.append(Int64(tenant)) } })
        value(2, slo?.ttftMilliseconds.map { ms in { $0.append(ms) } })
        value(3, slo?.tpotMilliseconds.map { ms in { $0.append(ms) } })
        let model = tags?.model.flatMap { spec?.models[$0].name }
        value(4, model.map { name in { $0.appendText(name) } })
        value(5) { $0.append(hex: request.sessionID) }
        return UnsafeBufferPointer(values)
    }
}

extension ByteCursor {
    /// A string's UTF-8 bytes as they are (a header value, not JSON).
    mutating func appendText(_ text: String) {
        var text = text
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }
}
