/// The optional `hash_ids` request field (SPEC 3.7): Mooncake-style KV-cache
/// block IDs. Absent unless the request has them, so streams without them
/// keep their bytes. This is the one place the field is encoded.
extension EventEncoder {
    /// Encodes a request and, when `hashIDs` is non-nil, its `hash_ids` as the
    /// last field: `..., "hash_ids":[0,1,2]}`.
    public func encode(_ e: RequestEvent, hashIDs: [Int64]?, into writer: inout ByteWriter) {
        encode(e, into: &writer)
        guard let hashIDs else { return }
        writer.removeLast()  // "\n"
        writer.removeLast()  // "}"
        writer.append(",\"hash_ids\":[")
        for (index, id) in hashIDs.enumerated() {
            if index > 0 { writer.append(byte: UInt8(ascii: ",")) }
            writer.append(id)
        }
        writer.append("]}\n")
    }
}

extension EventEncoder {
    /// Encodes an event with the hash_ids its request carries of its own (a
    /// replayed trace's), if any.
    public func encode(_ item: ReplayEvent, into writer: inout ByteWriter) {
        if case .request(let e) = item.event, let hashIDs = item.hashIDs {
            encode(e, hashIDs: hashIDs, into: &writer)
        } else {
            encode(item.event, into: &writer)
        }
    }
}
