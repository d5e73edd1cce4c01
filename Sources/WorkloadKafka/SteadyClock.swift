#if canImport(Glibc)
import Glibc
#endif

/// Clock reads inside WorkloadKafka, which has no injected clock: the
/// baseline loop's timing and record timestamps, and the first-delivery mark.
package enum SteadyClock {
    package static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Unix time in milliseconds (CLOCK_REALTIME), the record timestamp.
    package static func unixMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
