/// Writes a request's routing tags after its other fields, only the ones its
/// profile configures: `tenant`, `model`, `adapter` (null when the owner uses
/// the base model), `slo_class` with `ttft_slo_ms` and `tpot_slo_ms` (null for
/// a class without that target), `reasoning_tokens`, `image_count` and
/// `image_tokens`. Names are escaped once, here.
struct RoutingTagFields: Sendable {
    /// `,"model":"<name>"` per model.
    let models: [[UInt8]]
    /// `,"slo_class":"<name>","ttft_slo_ms":N,"tpot_slo_ms":N` per class.
    let sloClasses: [[UInt8]]

    init(_ spec: RoutingTagsSpec) {
        models = spec.models.map { model in
            var writer = ByteWriter(capacity: 64)
            writer.append(",\"model\":")
            writer.append(jsonString: model.name)
            return Array(writer.bytes)
        }
        sloClasses = spec.sloClasses.map { slo in
            var writer = ByteWriter(capacity: 96)
            writer.append(",\"slo_class\":")
            writer.append(jsonString: slo.name)
            writer.append(",\"ttft_slo_ms\":")
            if let ttft = slo.ttftMilliseconds { writer.append(ttft) } else { writer.append("null") }
            writer.append(",\"tpot_slo_ms\":")
            if let tpot = slo.tpotMilliseconds { writer.append(tpot) } else { writer.append("null") }
            return Array(writer.bytes)
        }
    }

    func encode(_ tags: RoutingTags, into writer: inout ByteWriter) {
        if let tenant = tags.tenant {
            writer.append(",\"tenant\":\"tenant-")
            writer.append(Int64(tenant))
            writer.append(byte: UInt8(ascii: "\""))
        }
        if let model = tags.model { writer.append(models[model]) }
        if tags.adaptersConfigured {
            if let adapter = tags.adapter {
                writer.append(",\"adapter\":\"adapter-")
                writer.append(Int64(adapter))
                writer.append(byte: UInt8(ascii: "\""))
            } else {
                writer.append(",\"adapter\":null")
            }
        }
        if let slo = tags.sloClass { writer.append(sloClasses[slo]) }
        if let reasoning = tags.reasoningTokens {
            writer.append(",\"reasoning_tokens\":")
            writer.append(reasoning)
        }
        if let count = tags.imageCount, let tokens = tags.imageTokens {
            writer.append(",\"image_count\":")
            writer.append(count)
            writer.append(",\"image_tokens\":")
            writer.append(tokens)
        }
    }
}
