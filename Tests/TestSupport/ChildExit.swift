import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child's exit, seen by a thread of its own blocked in `waitid(..., WNOWAIT)`: it learns
/// that the child ended without reaping it (``TestProcess`` reaps, under its lock) and wakes
/// every task waiting here. A waiting task holds no thread of Swift's cooperative pool, which
/// has as many threads as cores (two here) and runs every test: a test that blocked one of
/// them while its child ran would leave the machine half idle.
final class ChildExit: Sendable {
    private struct State {
        var ended = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waits that timed out or were cancelled before they were registered.
        var released: Set<UInt64> = []
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Timeouts and deadline kills. A queue of its own, not `DispatchQueue.global()`: on Linux
    /// that is the pool Swift's tasks run on, two threads here, which busy tests can hold for a
    /// minute; a queue of its own gets a thread of its own.
    static let timers = DispatchQueue(label: "test-process-timers")

    /// Starts watching `pid`, a child of this process.
    init(watching pid: pid_t) {
        let thread = Thread { [self] in
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
            // It ended, or was already reaped (ECHILD): either way it is over.
            let waiters = state.withLock { state in
                state.ended = true
                defer { state.waiters.removeAll() }
                return Array(state.waiters.values)
            }
            waiters.forEach { $0.resume() }
        }
        thread.name = "test-process-exit"
        thread.start()
    }

    /// Whether the child has ended (it may not be reaped yet).
    var hasEnded: Bool { state.withLock { $0.ended } }

    /// Returns once the child has ended, `timeout` seconds have passed or the task is cancelled.
    func wait(timeout: Double) async {
        let token = state.withLock { state -> UInt64? in
            guard !state.ended else { return nil }
            state.nextToken += 1
            return state.nextToken
        }
        guard let token else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let waits = state.withLock { state -> Bool in
                    guard !state.ended, state.released.remove(token) == nil else { return false }
                    state.waiters[token] = continuation
                    return true
                }
                guard waits else { return continuation.resume() }
                Self.timers.asyncAfter(deadline: .now() + max(0, min(timeout, 86_400))) { self.release(token) }
            }
        } onCancel: {
            release(token)
        }
    }

    /// Wakes the wait `token`, or marks it released if it is not registered yet.
    private func release(_ token: UInt64) {
        let waiter = state.withLock { state in
            let waiter = state.waiters.removeValue(forKey: token)
            if waiter == nil && !state.ended { state.released.insert(token) }
            return waiter
        }
        waiter?.resume()
    }
}
