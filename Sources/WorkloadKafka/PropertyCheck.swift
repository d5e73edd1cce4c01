internal import CRdKafka

/// A problem librdkafka found in the producer's properties.
package struct PropertyProblem: Sendable, Equatable {
    /// The user property at fault, or nil when librdkafka rejects the
    /// combination as a whole (found when creating the client).
    package var property: String?
    package var message: String
}

extension ProducerConfiguration {
    /// Lets librdkafka itself judge the properties, without connecting: every
    /// property is set on a scratch configuration (each rejection collected),
    /// and if all are accepted a producer is created from it and destroyed at
    /// once, which checks the combination (e.g. idempotence with `acks=1`,
    /// a missing CA file). `bootstrap.servers` is left out so that nothing
    /// tries to connect.
    package func propertyProblems() -> [PropertyProblem] {
        guard let conf = rd_kafka_conf_new() else {
            return [PropertyProblem(property: nil, message: "rd_kafka_conf_new failed")]
        }
        var problems: [PropertyProblem] = []
        let user = Set(properties.keys)
        for (name, value) in effectiveProperties where name != "bootstrap.servers" {
            if let complaint = NativeConfiguration.set(conf, name, value) {
                // A default is only at fault through a user property overriding it.
                problems.append(PropertyProblem(property: user.contains(name) ? name : nil, message: complaint))
            }
        }
        guard problems.isEmpty else {
            rd_kafka_conf_destroy(conf)
            return problems
        }
        // Silence the scratch client ("no bootstrap.servers configured").
        _ = NativeConfiguration.set(conf, "log_level", "0")
        do {
            let handle = try NativeConfiguration.newClient(RD_KAFKA_PRODUCER, conf: conf)
            rd_kafka_destroy(handle)
        } catch {
            problems.append(PropertyProblem(property: nil, message: error.message))
        }
        return problems
    }
}
