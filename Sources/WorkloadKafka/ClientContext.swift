internal import CRdKafka
import Logging
import Synchronization

/// State shared between a client handle and librdkafka's C callbacks.
///
/// C callbacks cannot capture Swift context, so every handle gets one of these
/// as its opaque pointer (`rd_kafka_conf_set_opaque`), retained for as long as
/// the handle lives: the owner releases it only after `rd_kafka_destroy`
/// returned, when no callback can run any more. Callbacks run on librdkafka's
/// threads (log, error) or on whichever thread polls (delivery reports), hence
/// the `Mutex`.
package final class ClientContext: Sendable {
    let logger: Logger
    package let delivery = Mutex(DeliveryStats())
    /// Value bytes of the records queued or in flight: what librdkafka holds against
    /// `queue.buffering.max.kbytes` (it counts the value alone), which it does not export.
    let queuedBytes = Atomic<Int>(0)

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Installs the log, error and delivery-report callbacks on `conf` and
    /// returns the retained opaque pointer, to be balanced by ``release(_:)``.
    package func install(on conf: OpaquePointer, deliveryReports: Bool) -> UnsafeMutableRawPointer {
        let opaque = Unmanaged.passRetained(self).toOpaque()
        rd_kafka_conf_set_opaque(conf, opaque)
        rd_kafka_conf_set_log_cb(conf, clientLogCallback)
        rd_kafka_conf_set_error_cb(conf, clientErrorCallback)
        if deliveryReports {
            rd_kafka_conf_set_dr_msg_cb(conf, clientDeliveryReportCallback)
        }
        return opaque
    }

    package static func release(_ opaque: UnsafeMutableRawPointer) {
        Unmanaged<ClientContext>.fromOpaque(opaque).release()
    }

    static func from(_ opaque: UnsafeMutableRawPointer) -> ClientContext {
        Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }

    func recordDelivery(error: KafkaError?, topic: OpaquePointer?, partition: Int32 = -1, offset: Int64 = -1) {
        guard let error else {
            delivery.withLock { stats in
                stats.delivered += 1
                if let topic {
                    let slot = stats.topicSlot(handle: UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(topic)))) {
                        String(cString: rd_kafka_topic_name(topic))
                    }
                    stats.topicDelivered[slot] += 1
                    stats.acknowledged(slot: slot, partition: partition, offset: offset)
                }
                if stats.firstDeliveredAtMonotonicNanoseconds == nil {
                    stats.firstDeliveredAtMonotonicNanoseconds = SteadyClock.nanoseconds()
                }
            }
            return
        }
        let countForError = delivery.withLock { stats -> Int in
            stats.failed += 1
            stats.failuresByError[error.name, default: 0] += 1
            stats.lastError = error
            if stats.firstPermanentError == nil && !error.isRetriable && !error.isPurge {
                stats.firstPermanentError = error
            }
            return stats.failuresByError[error.name, default: 0]
        }
        // Every failure is counted; the log gets the 1st, 2nd, 4th, 8th, ... of
        // each kind so a mass failure (a purge at shutdown) cannot flood it.
        if countForError & (countForError - 1) == 0 {
            logger.error("kafka delivery failed", metadata: [
                "error": "\(error)",
                "failures-of-this-kind": "\(countForError)",
            ])
        }
    }
}

/// librdkafka log lines (syslog levels) into swift-log.
private func clientLogCallback(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ line: UnsafePointer<CChar>?
) {
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    let context = ClientContext.from(opaque)
    let swiftLevel: Logger.Level
    switch level {
    case ...2: swiftLevel = .critical
    case 3: swiftLevel = .error
    case 4: swiftLevel = .warning
    case 5: swiftLevel = .notice
    case 6: swiftLevel = .info
    default: swiftLevel = .debug
    }
    guard context.logger.logLevel <= swiftLevel else { return }
    context.logger.log(
        level: swiftLevel,
        "\(line.map { String(cString: $0) } ?? "")",
        metadata: [
            "rdkafka.facility": "\(facility.map { String(cString: $0) } ?? "")",
            "rdkafka.client": "\(String(cString: rd_kafka_name(rk)))",
        ]
    )
}

/// Client-level errors (broker down, all brokers down, fatal idempotence errors).
/// librdkafka recovers from all but fatal ones by itself, so they are logged
/// only. Transport errors are logged at debug: librdkafka already logged the
/// same failure through the log callback (facility FAIL).
private func clientErrorCallback(
    _ rk: OpaquePointer?, _ code: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let opaque else { return }
    let context = ClientContext.from(opaque)
    let error = KafkaError(
        code: code,
        message: reason.map { String(cString: $0) } ?? "",
        isFatal: code == RD_KAFKA_RESP_ERR__FATAL.rawValue
    )
    let level: Logger.Level
    if error.isFatal {
        level = .critical
    } else if code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue {
        level = .debug
    } else {
        level = .warning
    }
    context.logger.log(level: level, "kafka client error", metadata: ["error": "\(error)"])
}

/// One call per record, when its fate is final; runs on the polling thread.
private func clientDeliveryReportCallback(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let opaque, let message else { return }
    let err = message.pointee.err
    // The handle keeps its context alive until rd_kafka_destroy returns (see `install`), so a
    // report borrows it without the retain and release `takeUnretainedValue` would cost per record.
    Unmanaged<ClientContext>.fromOpaque(opaque)._withUnsafeGuaranteedRef { context in
        context.queuedBytes.subtract(message.pointee.len, ordering: .relaxed)
        context.recordDelivery(
            error: err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(err), topic: message.pointee.rkt,
            partition: message.pointee.partition, offset: message.pointee.offset
        )
    }
}
