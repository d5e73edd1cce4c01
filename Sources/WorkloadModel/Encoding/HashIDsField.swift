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
    /// `e` has none. Returns whether it wrote them. The room for all of them
    /// is claimed at once and the IDs (53-bit, so at most 16 digits) are
    /// written without a check each: a long prompt has hundreds.
    @discardableResult
    static func append(
        _ given: [Int64]?, of e: RequestEvent, catalog: PrefixCatalog?, opening: StaticString, separator: StaticString,
        into writer: inout ByteWriter
    ) -> Bool {
        let gap = separator.utf8CodeUnitCount
        if let given {
            writer.write(reserving: opening.utf8CodeUnitCount + given.count * (20 + gap) + 1) { out in
                out.append(opening)
                for (index, id) in given.enumerated() {
                    if index > 0 { out.append(separator) }
                    out.append(id)
                }
                out.append(byte: UInt8(ascii: "]"))
            }
        } else if let catalog, let block = catalog.blockTokens {
            let blocks = Int(e.promptTokens <= 0 ? 0 : (e.promptTokens - 1) / block + 1)
            let room = blocks * (16 + gap)
            writer.write(reserving: opening.utf8CodeUnitCount + room + 1) { out in
                out.append(opening)
                out.write(upTo: room) { start in
                    var next = start
                    let join = separator.utf8Start
                    let known = Self.appendFirstItemIDs(of: e, catalog: catalog, blockTokens: block, separator: separator, at: &next)
                    BlockHashes.forEachID(of: e, catalog: catalog, blockTokens: block, from: known) { id in
                        if next != start {
                            next.update(from: join, count: gap)
                            next += gap
                        }
                        next = ByteCursor.writeDecimal(id, at: next)
                    }
                    return next
                }
                out.append(byte: UInt8(ascii: "]"))
            }
        } else {
            return false
        }
        return true
    }
}

extension HashIDsField {
    /// Copies the IDs of the complete blocks inside the request's first
    /// shared item, written once by the catalog, when the separator is a
    /// comma. Returns how many.
    @inline(__always)
    static func appendFirstItemIDs(of e: RequestEvent, catalog: PrefixCatalog, blockTokens: Int64, separator: StaticString,
                                   at next: inout UnsafeMutablePointer<UInt8>) -> Int {
        let items = e.prefixItems
        guard items.count > 0, !catalog.firstItemIDs.isEmpty, separator.utf8CodeUnitCount == 1,
              separator.utf8Start[0] == UInt8(ascii: ",") else { return 0 }
        let first = items[0]
        let kept = catalog.firstItemIDs[first.pool][first.item]
        let inside = Swift.min(e.sharedPrefixTokens, catalog.itemTokens[first.pool][first.item], e.promptTokens)
        let blocks = Swift.min(Int(inside / blockTokens), kept.ends.count - 1)
        guard blocks > 0 else { return 0 }
        // Without the last comma: the next ID writes its own.
        let bytes = kept.ends[blocks] - 1
        kept.text.withUnsafeBufferPointer { next.update(from: $0.baseAddress!, count: bytes) }
        next += bytes
        return blocks
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
