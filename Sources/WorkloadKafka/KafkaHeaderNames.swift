/// Record header names laid out once as NUL-terminated C strings, so that
/// producing a record with headers needs no allocation (see
/// ``KafkaProducer/produce(to:partition:key:value:headerNames:headerValues:timestampMs:shouldAbort:)``).
package final class KafkaHeaderNames: @unchecked Sendable {
    // @unchecked Sendable: the storage is written once in init and only read
    // afterwards; it is freed in deinit, when no reader can remain.
    package let names: [String]
    private let storage: UnsafeMutablePointer<CChar>
    private let offsets: [Int]

    /// Names must not contain NUL.
    package init(_ names: [String]) {
        precondition(names.allSatisfy { !$0.utf8.contains(0) }, "header names must not contain NUL")
        self.names = names
        let total = names.reduce(0) { $0 + $1.utf8.count + 1 }
        storage = .allocate(capacity: max(total, 1))
        var offsets: [Int] = []
        var offset = 0
        for name in names {
            offsets.append(offset)
            for byte in name.utf8 {
                storage[offset] = CChar(bitPattern: byte)
                offset += 1
            }
            storage[offset] = 0
            offset += 1
        }
        self.offsets = offsets
    }

    deinit { storage.deallocate() }

    package var count: Int { offsets.count }

    func pointer(at index: Int) -> UnsafePointer<CChar> {
        UnsafePointer(storage + offsets[index])
    }
}
