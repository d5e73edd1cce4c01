/// One Kafka record header. Kafka keeps headers as an ordered list in which
/// names may repeat, so they are modelled as an array of these, not a dictionary.
package struct KafkaHeader: Sendable, Hashable {
    /// Header name (UTF-8, must not contain NUL).
    package var name: String
    /// Raw header value.
    package var value: [UInt8]

    /// A header with raw bytes.
    package init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    /// A header whose value is the UTF-8 encoding of `value`.
    package init(name: String, value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }
}
