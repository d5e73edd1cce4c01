package import CRdKafka

/// Builds an `rd_kafka_conf_t` from string properties. The caller owns the
/// result until `rd_kafka_new` succeeds (which takes it over) and must
/// `rd_kafka_conf_destroy` it otherwise.
package enum NativeConfiguration {
    package static func make(_ properties: [(String, String)]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw .invalidArgument("rd_kafka_conf_new failed")
        }
        for (name, value) in properties {
            if let message = set(conf, name, value) {
                rd_kafka_conf_destroy(conf)
                throw .invalidArgument("\(name)=\(value): \(message)")
            }
        }
        return conf
    }

    /// Returns librdkafka's complaint, or nil when the property was accepted.
    static func set(_ conf: OpaquePointer, _ name: String, _ value: String) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer -> String? in
            let result = rd_kafka_conf_set(conf, name, value, buffer.baseAddress, buffer.count)
            guard result != RD_KAFKA_CONF_OK else { return nil }
            return String(cString: buffer.baseAddress!)
        }
    }

    /// Creates a client handle, taking over `conf` whatever happens.
    package static func newClient(_ type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) -> OpaquePointer {
        let result = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer -> Result<OpaquePointer, KafkaError> in
            buffer[0] = 0
            if let handle = rd_kafka_new(type, conf, buffer.baseAddress, buffer.count) {
                return .success(handle)
            }
            // On failure rd_kafka_new leaves conf to the caller.
            rd_kafka_conf_destroy(conf)
            return .failure(.invalidArgument("rd_kafka_new: \(String(cString: buffer.baseAddress!))"))
        }
        return try result.get()
    }

    /// librdkafka's compiled-in features (`builtin.features`), e.g. `zstd`, `lz4`, `ssl`.
    static let builtinFeatures: Set<String> = {
        guard let conf = rd_kafka_conf_new() else { return [] }
        defer { rd_kafka_conf_destroy(conf) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 1024) { buffer -> Set<String> in
            var size = buffer.count
            guard rd_kafka_conf_get(conf, "builtin.features", buffer.baseAddress, &size) == RD_KAFKA_CONF_OK else {
                return []
            }
            return Set(String(cString: buffer.baseAddress!).split(separator: ",").map(String.init))
        }
    }()
}
