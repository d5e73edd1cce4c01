/// The optional `hash_ids` request field: Mooncake-style KV-cache
/// block IDs. This is the one place they are written, for every stream and
/// format: a replayed trace's own IDs, or the blocks `kv_blocks` derives for a
/// generated request (`BlockHashes`). Absent when the request has neither, so
/// other streams keep their bytes.
enum HashIDsField {
    /// True when `e` has hash_ids: its own (`given`) or its KV blocks.
    @inline(__always)
    static func present(_ given: [Int64]?, catalog: PrefixCatalog?) -> Bool {
        given != nil || catalog?.blockTokens != nil
    }

    /// Appends `opening`, the IDs joined by `separator`, and `]`; nothing when
    /// `e` has none. Returns whether it wrote them.
    @discardableResult
    static func append(
        _ given: [Int64]?, of e: RequestEvent, catalog: PrefixCatalog?, opening: StaticString, separator: StaticString,
        into writer: inout ByteWriter
    ) -> Bool {
        var first = true
        @inline(__always) func next() {
            if !first { writer.append(separator) }
            first = false
        }
        if let given {
            writer.append(opening)
            for id in given {
                next()
                writer.append(id)
            }
        } else if let catalog, let block = catalog.blockTokens {
            writer.append(opening)
            BlockHashes.forEachID(of: e, catalog: catalog, blockTokens: block) { id in
                next()
                writer.append(unsigned: id)
            }
        } else {
            return false
        }
        writer.append(byte: UInt8(ascii: "]"))
        return true
    }
}

extension EventEncoder {
    /// Encodes a request with `hashIDs` of its own (a replayed trace's) as its
    /// last field: `..., "hash_ids":[0,1,2]}`; with nil, as `encode(_:into:)`.
    package func encode(_ e: RequestEvent, hashIDs: [Int64]?, into writer: inout ByteWriter) {
        encodeRequest(e, hashIDs: hashIDs, into: &writer)
    }

    /// Encodes an event with the hash_ids its request carries of its own (a
    /// replayed trace's), if any.
    package func encode(_ item: ReplayEvent, into writer: inout ByteWriter) {
        if case .request(let e) = item.event {
            encodeRequest(e, hashIDs: item.hashIDs, into: &writer)
        } else {
            encode(item.event, into: &writer)
        }
    }

    /// Whether requests of this stream carry hash_ids: their own (`given`) or
    /// from `kv_blocks`.
    package func hasHashIDs(_ given: [Int64]?) -> Bool {
        HashIDsField.present(given, catalog: prefixCatalog)
    }

    /// The request's hash_ids in a trace format's own spelling (`opening`,
    /// `separator`): the Mooncake writer's.
    package func appendHashIDs(
        _ given: [Int64]?, of e: RequestEvent, opening: StaticString, separator: StaticString, into writer: inout ByteWriter
    ) {
        HashIDsField.append(given, of: e, catalog: prefixCatalog, opening: opening, separator: separator, into: &writer)
    }
}
