import WorkloadKafka

/// Elapsed wall time (monotonic) and CPU time for the benchmarks. CPU time is
/// the calling thread's (one core's work) or the whole process's (the
/// producer's and the embedded cluster's threads included).
struct Stopwatch {
    private let wallStart: UInt64
    private let threadStart: UInt64
    private let processStart: UInt64

    init() {
        wallStart = SteadyClock.nanoseconds()
        threadStart = SteadyClock.threadCPUNanoseconds()
        processStart = SteadyClock.processCPUNanoseconds()
    }

    var elapsedSeconds: Double { Double(SteadyClock.nanoseconds() - wallStart) / 1e9 }

    /// CPU seconds the calling thread has used since the start.
    var threadCPUSeconds: Double { Double(SteadyClock.threadCPUNanoseconds() - threadStart) / 1e9 }

    /// CPU seconds all threads of this process have used since the start.
    var processCPUSeconds: Double { Double(SteadyClock.processCPUNanoseconds() - processStart) / 1e9 }
}

/// The median of a non-empty list (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median of nothing")
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// One throughput run: events, wall seconds, CPU seconds.
struct Throughput {
    var events: Int
    var seconds: Double
    var cpuSeconds: Double

    var eventsPerSecond: Double { Double(events) / seconds }
    var eventsPerCPUSecond: Double { Double(events) / cpuSeconds }
    var cpuMicrosecondsPerEvent: Double { cpuSeconds * 1e6 / Double(events) }

    /// Several runs as one: total events over total time.
    static func total(_ runs: [Throughput]) -> Throughput {
        Throughput(
            events: runs.reduce(0) { $0 + $1.events }, seconds: runs.reduce(0) { $0 + $1.seconds },
            cpuSeconds: runs.reduce(0) { $0 + $1.cpuSeconds })
    }
}
