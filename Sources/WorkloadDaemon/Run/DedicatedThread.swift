import Foundation

/// Runs blocking work (the pacing loop, librdkafka calls with timeouts) on a
/// thread of its own and awaits its result, so it never occupies a thread of
/// Swift's cooperative pool.
func onDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = name
        thread.start()
    }
}
