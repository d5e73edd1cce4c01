/// Records serialised ahead of time and laid out flat (keys, values and header
/// values back to back in one byte array), so that a produce loop over them
/// does no per-record allocation: the input of ``PlainProduceLoop``.
///
/// Every record carries the same header names, in order, with its own values.
package struct RecordBatch: Sendable {
    struct Entry: Sendable {
        var topic: Int32
        var partition: Int32
        var key: Range<Int>
        var value: Range<Int>
        /// Offset of the first header value; the values follow each other.
        var headers: Int
    }

    /// Topic names, by the index records were appended with (renamable, to
    /// send the same records to fresh topics).
    package var topics: [String]
    package let headerNames: [String]
    var bytes: [UInt8] = []
    var entries: [Entry] = []
    /// Lengths of every record's header values, `headerNames.count` per record.
    var headerLengths: [Int32] = []

    package init(topics: [String], headerNames: [String]) {
        self.topics = topics
        self.headerNames = headerNames
    }

    package var count: Int { entries.count }

    /// Bytes of keys, values and header values.
    package var byteCount: Int { bytes.count }

    package mutating func reserve(records: Int, bytes byteCount: Int) {
        entries.reserveCapacity(records)
        headerLengths.reserveCapacity(records * headerNames.count)
        bytes.reserveCapacity(byteCount)
    }

    /// Appends a record for `topics[topic]`; `headerValues` holds one value per header name.
    package mutating func append(
        topic: Int, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        headerValues: [UnsafeRawBufferPointer]
    ) {
        precondition(topic >= 0 && topic < topics.count, "topic index \(topic) out of range")
        precondition(headerValues.count == headerNames.count, "one value per header name")
        let keyStart = bytes.count
        bytes.append(contentsOf: key)
        let valueStart = bytes.count
        bytes.append(contentsOf: value)
        let headerStart = bytes.count
        for header in headerValues {
            bytes.append(contentsOf: header)
            headerLengths.append(Int32(header.count))
        }
        entries.append(Entry(
            topic: Int32(topic), partition: partition, key: keyStart..<valueStart, value: valueStart..<headerStart,
            headers: headerStart))
    }
}
