import Synchronization
import Testing
import TestSupport

/// A one-shot signal that tasks await.
private final class Latch: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// How many tasks are inside, and the most that ever were.
private final class Occupancy: Sendable {
    private let counts = Mutex((now: 0, most: 0))
    func enter() { counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { counts.withLock { $0.now -= 1 } }
    var now: Int { counts.withLock { $0.now } }
    var most: Int { counts.withLock { $0.most } }
}

/// What the tasks of a scenario did, in order.
private final class Journal: Sendable {
    private let lines = Mutex<[String]>([])
    func note(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// Waits (polling, at most 10 s) until `condition` holds.
    func until(_ condition: () -> Bool) async throws {
        for _ in 0..<10_000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }
}

@Suite("MachineGate: wall-clock tests alone, heavy work shared", .timeLimit(.minutes(10)))
struct MachineGateTests {
    @Test("an exclusive holder waits for the shared work in flight and goes before shared work that came after it")
    func exclusiveWaitsAndGoesFirst() async throws {
        let gate = MachineGate(slots: [.daemon: 3, .process: 4])
        let journal = Journal(), release = Latch()
        let heavy = Task {
            await gate.sharing(.daemon) {
                journal.note("heavy in")
                await release.wait()
                journal.note("heavy out")
            }
        }
        try await journal.until { journal.all == ["heavy in"] }
        let timing = Task { await gate.alone { journal.note("timing") } }
        try await journal.until { gate.waiting.exclusive == 1 }
        let later = Task { await gate.sharing(.process) { journal.note("later") } }
        try await journal.until { gate.waiting.shared == 1 }
        #expect(journal.all == ["heavy in"], "nothing passed a waiting exclusive holder")
        release.open()
        _ = await (heavy.value, timing.value, later.value)
        #expect(journal.all == ["heavy in", "heavy out", "timing", "later"])
    }

    @Test("at most the kind's slots hold it at once; a holder asking again passes, shared or alone")
    func slotsBoundAndHoldersPass() async throws {
        let gate = MachineGate(slots: [.daemon: 2, .process: 1])
        let journal = Journal(), release = Latch()
        let inside = Occupancy()
        let tasks = (0..<3).map { _ in
            Task {
                await gate.sharing(.daemon) {
                    inside.enter()
                    // One process slot for two holders inside at once: only because a holder's asks pass through.
                    await gate.sharing(.process) { await gate.sharing(.daemon) { await release.wait() } }
                    inside.leave()
                }
            }
        }
        try await journal.until { inside.now == 2 && gate.waiting.shared == 1 }
        release.open()
        for task in tasks { await task.value }
        #expect(inside.most == 2)
        let passed = await gate.alone { await gate.alone { await gate.sharing(.process) { true } } }
        #expect(passed)
    }
}
