import CSystemShims
import Foundation
import WorkloadConfig

/// `bench --pacing-isolated`: the Kafka cluster of the lateness runs in a process of its
/// own on its own CPU, so that its threads do not take the generator's. Spawns
/// `llm-workload dev-kafka` (this executable) with the configured topics and
/// partitions while the calling thread is pinned to `clusterCPU` (the child inherits
/// the mask), then pins the calling thread to `benchCPU`: the pacing loop, the pacer
/// floor and the producer threads the runs start all share that CPU.
/// `close()` ends the child and lets the thread run anywhere again.
final class IsolatedCluster {
    let bootstrapServers: String
    let clusterCPU: Int32
    let benchCPU: Int32
    private let process: Process
    private let output = Pipe()

    /// Two CPUs or more: the cluster on the last one, the bench on the first.
    init(configuration: Configuration) throws(BenchError) {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        guard cpus >= 2 else { throw BenchError("--pacing-isolated needs two CPUs (this machine has \(cpus))") }
        clusterCPU = Int32(cpus - 1)
        benchCPU = 0
        process = Process()
        process.executableURL = URL(fileURLWithPath: ChildProcess.executable)
        process.arguments = [
            "dev-kafka", "--brokers", "3", "--partitions", String(configuration.kafka.embeddedPartitions),
            "--topic", configuration.kafka.topics.requests, "--topic", configuration.kafka.topics.sessions,
        ]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard llm_workload_pin_thread_to_cpu(clusterCPU) == 0 else {
            throw BenchError("cannot pin to CPU \(clusterCPU): \(String(cString: strerror(errno)))")
        }
        do {
            try process.run()
        } catch {
            _ = llm_workload_unpin_thread()
            throw BenchError("cannot start dev-kafka: \(error)")
        }
        guard llm_workload_pin_thread_to_cpu(benchCPU) == 0 else {
            process.terminate()
            throw BenchError("cannot pin to CPU \(benchCPU): \(String(cString: strerror(errno)))")
        }
        // dev-kafka prints its bootstrap address as its first line once the topics exist.
        var line = Data()
        let reader = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let address = String(decoding: line, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard !address.isEmpty else {
            process.terminate()
            _ = llm_workload_unpin_thread()
            throw BenchError("dev-kafka printed no address")
        }
        bootstrapServers = address
    }

    /// The CPUs the cluster process may run on, as the kernel reports them.
    var clusterCPUsAllowed: String { Self.cpusAllowed(path: "/proc/\(process.processIdentifier)/status") }

    /// The CPUs the calling thread may run on.
    static var threadCPUsAllowed: String { cpusAllowed(path: "/proc/thread-self/status") }

    private static func cpusAllowed(path: String) -> String {
        let status = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
            .map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) } ?? "?"
    }

    /// Stops the cluster and unpins the calling thread.
    func close() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        _ = llm_workload_unpin_thread()
    }
}
