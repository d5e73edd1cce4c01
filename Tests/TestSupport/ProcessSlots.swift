import Synchronization

/// How many children the awaiting helpers (``runProcess(_:_:environment:workingDirectory:stdin:timeout:)``
/// and the test targets' `runCLI`/`runMeasured`) run at once. Awaiting, a test holds no thread, so
/// without a bound every process test would spawn at once: hundreds of debug binaries on two cores,
/// each binding ports and opening connections, which is also when librdkafka's mock cluster in this
/// process failed to bind a downed broker's port again and aborted.
package final class ProcessSlots: Sendable {
    package static let shared = ProcessSlots(4)

    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    package init(_ count: Int) {
        state = Mutex(State(free: count))
    }

    /// Runs `body` once a slot is free (waiting without holding a thread), then frees it.
    package func run<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        let granted = state.withLock { state -> Bool in
            guard state.free > 0 else { return false }
            state.free -= 1
            return true
        }
        if granted { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Hands the slot to the longest waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
