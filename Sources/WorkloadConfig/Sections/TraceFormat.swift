/// The trace formats `workload.replay`, `generate --format` and `convert`
/// read and write (the "Traces, replay and fit" article).
package enum TraceFormat: String, Sendable, Equatable, CaseIterable {
    /// Azure LLM inference CSV `TIMESTAMP,ContextTokens,GeneratedTokens`
    /// (2023: `2023-11-16 18:15:46.6805900`; 2024: `... .009930+00:00`).
    case azure
    /// Mooncake JSON Lines `{timestamp (ms), input_length, output_length, hash_ids}`.
    case mooncake
    /// BurstGPT CSV `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type[,Session ID]`.
    case burstgpt
    /// Our own event JSON Lines (request events; others are passed over).
    case jsonl
    /// Dynamo's agentic Mooncake rows (schema `dynamo.agentic_mooncake`,
    /// version 2): each request with its dependencies (`depends_on`,
    /// `delay_s`). Written by `generate --format`, not read.
    case agenticMooncake = "agentic-mooncake"

    /// Whether the format can be read (replayed, converted, fitted).
    package var isReadable: Bool { self != .agenticMooncake }

    package static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The formats that can be read, by name.
    package static var readableNames: String { allCases.filter(\.isReadable).map(\.rawValue).joined(separator: ", ") }
}
