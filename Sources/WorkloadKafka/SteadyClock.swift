#if canImport(Glibc)
import Glibc
#endif

/// The one place the system clocks are read: monotonic time (pacing, deadlines,
/// the benchmarks' stopwatch), Unix time (record timestamps, the run's anchor)
/// and CPU time (the benchmarks). It lives in the lowest target that needs a
/// clock (the client stamps its first delivery); the daemon reads it through
/// the injected `WallClock` (whose system implementation calls it) so that
/// tests drive time.
package enum SteadyClock {
    /// `CLOCK_MONOTONIC`, nanoseconds since an arbitrary origin.
    package static func nanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }

    /// Unix time in nanoseconds (`CLOCK_REALTIME`): jumps when the system clock is set, so never for pacing.
    package static func unixNanoseconds() -> Int64 { Int64(bitPattern: read(CLOCK_REALTIME)) }

    /// Unix time in milliseconds (`CLOCK_REALTIME`), the record timestamp.
    package static func unixMilliseconds() -> Int64 { unixNanoseconds() / 1_000_000 }

    /// CPU nanoseconds the calling thread has used.
    package static func threadCPUNanoseconds() -> UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }

    /// CPU nanoseconds all threads of this process have used.
    package static func processCPUNanoseconds() -> UInt64 { read(CLOCK_PROCESS_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
