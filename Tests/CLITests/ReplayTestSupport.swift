import Foundation
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// The committed trace excerpts and the full sample traces (beside the clone, when present).
enum TraceFixtures {
    static let azure = repositoryRoot.appendingPathComponent("Tests/Fixtures/traces/azure_conv_head.csv").path
    static let mooncake = repositoryRoot.appendingPathComponent("Tests/Fixtures/traces/mooncake_conv_head.jsonl").path
    static let shared = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/traces")
    static var fullAzure: String? { existing("AzureLLMInferenceTrace_conv.csv") }
    static var fullMooncake: String? { existing("mooncake_conversation_trace.jsonl") }

    static func existing(_ name: String) -> String? {
        let path = shared.appendingPathComponent(name).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A replay configuration with an instant link, so `time_s` = `sent_at_s`.
    static func yaml(_ file: String, _ format: String, extra: String = "", workload: String = "") -> String {
        """
        workload:
          random_seed: 7
          network: {latency_s: 0}
          bytes_per_token_estimate_for_network: 0
        \(workload.isEmpty ? "" : "  " + workload + "\n")  replay: {file: \(file), format: \(format)\(extra)}
        """
    }

    static func events(_ yaml: String) throws -> [ReplayEvent] {
        let source = try ReplaySource(Configuration.parse(yaml: yaml))
        var events: [ReplayEvent] = []
        while let event = try source.next() { events.append(event) }
        return events
    }

    static func requests(_ events: [ReplayEvent]) -> [(RequestEvent, [Int64]?)] {
        events.compactMap { item in
            if case .request(let r) = item.event { return (r, item.hashIDs) }
            return nil
        }
    }

    /// Azure timestamps of one day as nanoseconds since midnight, read
    /// independently of the parser (string splitting and the 7 digits of 100 ns).
    static func azureRows(_ path: String) throws -> [(Int64, Int64, Int64)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = data.split(separator: 0x0A).dropFirst().map { String(decoding: $0, as: UTF8.self) }
        return lines.map { line in
            let fields = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
            let clock = fields[0].split(separator: " ")[1].split(separator: ":")
            let secondParts = clock[2].split(separator: ".")
            let whole = Int64(clock[0])! * 3600 + Int64(clock[1])! * 60 + Int64(secondParts[0])!
            let fraction = String(secondParts[1]).padding(toLength: 9, withPad: "0", startingAt: 0)
            return (whole * 1_000_000_000 + Int64(fraction)!, Int64(fields[1])!, Int64(fields[2])!)
        }
    }

    static func mooncakeRows(_ path: String) throws -> [(Int64, Int64, Int64, [Int64])] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.split(separator: 0x0A).map { line in
            let object = try! JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
            func int(_ key: String) -> Int64 { (object[key] as! NSNumber).int64Value }
            return (int("timestamp") * 1_000_000, int("input_length"), int("output_length"),
                    (object["hash_ids"] as! [NSNumber]).map(\.int64Value))
        }
    }
}
