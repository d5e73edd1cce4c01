/// The prefix fields of a request event, written after today's fields:
/// `,"shared_prefix_tokens":N,"prefix_ids":["<pool>:<item>",...]` (then, with
/// `kv_blocks`, `hash_ids` from `HashIDsField`). Nothing is allocated: the IDs
/// go straight into the writer's buffer.
enum PrefixFields {
    static func encode(_ e: RequestEvent, catalog: PrefixCatalog, into writer: inout ByteWriter) {
        var room = 64
        for index in 0..<Int(e.prefixItems.count) { room += catalog.idFragments[e.prefixItems[index].pool].count + 24 }
        writer.write(reserving: room) { out in
            out.append(",\"shared_prefix_tokens\":")
            out.append(e.sharedPrefixTokens)
            out.append(",\"prefix_ids\":[")
            for index in 0..<Int(e.prefixItems.count) {
                let (pool, item) = e.prefixItems[index]
                if index > 0 { out.append(byte: UInt8(ascii: ",")) }
                catalog.idFragments[pool].withUnsafeBytes { out.append(bytes: $0) }
                out.append(Int64(item))
                out.append(byte: UInt8(ascii: "\""))
            }
            out.append(byte: UInt8(ascii: "]"))
        }
    }
}
