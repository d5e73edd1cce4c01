import Foundation

/// Time from process start to the first published event with
/// `--embedded-kafka`, measured from outside: the parent reads
/// `CLOCK_MONOTONIC` just before spawning `llm-workload run --embedded-kafka
/// --mode accelerated --speed max` (with metrics on an ephemeral port), and
/// the child, told by the hidden `--report-first-event`, prints the same
/// clock when the producer took its first event and when the cluster first
/// acknowledged a record. Both differences therefore include exec, dynamic
/// loading, argument parsing, loading the config, starting the mock cluster,
/// connecting and the first round trip.
enum FirstEventProbe {
    /// `name=<ns>` of the child's last `first-event ...` line.
    static func mark(_ name: String, in stderr: String) -> UInt64? {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("first-event ") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix(name + "=") })
        else { return nil }
        return UInt64(field.dropFirst(name.count + 1))
    }

    /// Milliseconds from spawn to first produce and to first acknowledgement.
    static func measure(configPath: String, seed: UInt64) throws(BenchError)
        -> (produced: Double, acknowledged: Double, steps: [(step: String, ms: Double)])
    {
        let arguments = [
            "run", "--config", configPath, "--seed", String(seed), "--embedded-kafka", "--mode", "accelerated",
            "--speed", "max", "--requests", "100", "--metrics-listen", "127.0.0.1:0", "--log-level", "warning",
            "--report-first-event",
        ]
        var spawnedAt: UInt64 = 0
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(arguments) { spawnedAt = $0 }
        } catch {
            throw BenchError("first-event probe: cannot start \(ChildProcess.executable): \(error)")
        }
        func mark(_ name: String) -> UInt64? { Self.mark(name, in: result.stderr) }
        guard result.status == 0, let produced = mark("produced_monotonic_ns"),
              let acknowledged = mark("acknowledged_monotonic_ns"), produced >= spawnedAt, acknowledged >= spawnedAt
        else {
            throw BenchError("first-event probe failed with status \(result.status): \(result.stderr.suffix(400))")
        }
        // When the child had set up, started the cluster, heard from a broker, learnt the topics, was ready.
        let steps = ["setup", "cluster", "connected", "topics", "ready"].compactMap { step -> (String, Double)? in
            guard let at = mark(step + "_monotonic_ns"), at >= spawnedAt else { return nil }
            return (step, Double(at - spawnedAt) / 1e6)
        }
        return (Double(produced - spawnedAt) / 1e6, Double(acknowledged - spawnedAt) / 1e6, steps)
    }
}
