/// Kafka's rules for topic names (`kafka.topics.*`), checked at load time
/// rather than discovered when the first record fails.
package enum TopicName {
    /// Why `name` cannot be a topic, or nil when it can.
    package static func problem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name == "." || name == ".." { return "must not be . or .. (got \(name))" }
        if name.count > ConfigBounds.topicNameLength { return "must be at most \(ConfigBounds.topicNameLength) characters (got \(name.count))" }
        if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }) {
            return "may contain only ASCII letters, digits, '.', '_' and '-' (got \"\(name)\")"
        }
        return nil
    }

    /// Kafka refuses two topics whose names differ only in '.' versus '_' (their metric names collide).
    package static func collide(_ a: String, _ b: String) -> Bool {
        a.replacingDots == b.replacingDots
    }
}

extension String {
    fileprivate var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}
