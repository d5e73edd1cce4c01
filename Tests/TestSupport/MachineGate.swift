import Synchronization
import Testing

/// A readers-writer gate over this process's heavy work, so that a test whose assertion reads
/// the wall clock (pacing lateness, a fault timeline, a timeout in real time) runs on a machine
/// this process keeps quiet, while every other test overlaps with the rest of the suite.
///
/// - Heavy work holds the gate *shared*, a bounded number at a time per kind: an awaited child
///   process (``ProcessSlots``, four at once) and an in-process daemon test (``Trait/loadsTheMachine``,
///   three at once: each runs a mock cluster, daemons and consumers on threads of their own).
/// - A wall-clock test holds it *exclusively* (``Trait/quietMachine``): it waits for the heavy work
///   in flight to end, and no new heavy work starts until it is done; two wall-clock tests never
///   overlap either.
/// - A waiting exclusive holder goes before any new shared one (writer preference), so a wall-clock
///   test waits at most for the heavy work already running. Shared work waits at most for the
///   wall-clock tests, a fixed and short set.
/// - A task that holds the gate (either way) and asks again passes straight through: a daemon test
///   that spawns a child, or a wall-clock test that does, never waits on itself.
///
/// Nothing holding the gate waits for anything the gate holds back, so it cannot deadlock: waiters
/// hold nothing, and holders never wait on the gate again. The `.background` statistics bodies do not
/// take it: they run at `SCHED_IDLE`, and a woken thread of ordinary priority preempts them at once.
package final class MachineGate: Sendable {
    package enum Kind: Sendable {
        case process, daemon
    }

    package enum Hold: Sendable {
        case shared, exclusive
    }

    package static let shared = MachineGate(slots: [.process: 4, .daemon: 3])

    /// How the current task holds the gate, if it does.
    @TaskLocal package static var holding: Hold?

    private struct State {
        var free: [Kind: Int]
        var exclusive = false
        var writers: [CheckedContinuation<Void, Never>] = []
        var readers: [(kind: Kind, continuation: CheckedContinuation<Void, Never>)] = []
        var inFlight = 0
    }

    private let state: Mutex<State>

    package init(slots: [Kind: Int]) {
        state = Mutex(State(free: slots))
    }

    /// Runs `body` holding a `kind` slot and the gate shared (waiting without holding a thread).
    package func sharing<T>(_ kind: Kind, _ body: () async throws -> T) async rethrows -> T {
        if Self.holding != nil { return try await body() }
        await acquire(kind)
        defer { release(kind) }
        return try await Self.$holding.withValue(.shared) { try await body() }
    }

    /// Runs `body` holding the gate alone, once the shared work in flight has ended.
    package func alone<T>(_ body: () async throws -> T) async rethrows -> T {
        if Self.holding == .exclusive { return try await body() }
        precondition(Self.holding == nil, "a shared holder cannot wait for the gate alone: it would wait on itself")
        await acquireExclusive()
        defer { releaseExclusive() }
        return try await Self.$holding.withValue(.exclusive) { try await body() }
    }

    /// How many wait for the gate, shared and alone (for the gate's own tests).
    package var waiting: (shared: Int, exclusive: Int) {
        state.withLock { ($0.readers.count, $0.writers.count) }
    }

    private func acquire(_ kind: Kind) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                guard !state.exclusive, state.writers.isEmpty, state.free[kind, default: 0] > 0 else {
                    state.readers.append((kind, continuation))
                    return false
                }
                state.free[kind, default: 0] -= 1
                state.inFlight += 1
                return true
            }
            if now { continuation.resume() }
        }
    }

    private func release(_ kind: Kind) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.free[kind, default: 0] += 1
            state.inFlight -= 1
            return Self.handOver(&state)
        }
        for continuation in woken { continuation.resume() }
    }

    private func acquireExclusive() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                guard !state.exclusive, state.inFlight == 0, state.writers.isEmpty else {
                    state.writers.append(continuation)
                    return false
                }
                state.exclusive = true
                return true
            }
            if now { continuation.resume() }
        }
    }

    private func releaseExclusive() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.exclusive = false
            return Self.handOver(&state)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Who may go now: the longest-waiting exclusive holder once nothing is in flight, else (with no
    /// exclusive holder waiting) every waiting shared holder whose kind has a free slot, in order.
    private static func handOver(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        if state.exclusive { return [] }
        if !state.writers.isEmpty {
            guard state.inFlight == 0 else { return [] }
            state.exclusive = true
            return [state.writers.removeFirst()]
        }
        var woken: [CheckedContinuation<Void, Never>] = []
        var waiting: [(kind: Kind, continuation: CheckedContinuation<Void, Never>)] = []
        for reader in state.readers {
            if state.free[reader.kind, default: 0] > 0 {
                state.free[reader.kind, default: 0] -= 1
                state.inFlight += 1
                woken.append(reader.continuation)
            } else {
                waiting.append(reader)
            }
        }
        state.readers = waiting
        return woken
    }
}

/// Holds ``MachineGate`` for each test case of a suite (or one test): shared with a daemon slot
/// (``Trait/loadsTheMachine``) or alone (``Trait/quietMachine``). A test that carries both, a
/// wall-clock test inside a suite of daemon tests, holds it alone.
package struct MachineGateTrait: TestTrait, SuiteTrait, TestScoping {
    let hold: MachineGate.Hold

    package var isRecursive: Bool { true }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // A suite's own scope has no test case: only the test cases take the gate.
        guard testCase != nil else { return try await function() }
        switch hold {
        case .exclusive:
            try await MachineGate.shared.alone(function)
        case .shared:
            let alone = test.traits.contains { ($0 as? MachineGateTrait)?.hold == .exclusive }
            if alone { return try await function() }
            try await MachineGate.shared.sharing(.daemon, function)
        }
    }
}

extension Trait where Self == MachineGateTrait {
    /// Heavy in-process work (a mock cluster and daemons): holds the gate shared, three such test cases at once.
    package static var loadsTheMachine: Self { MachineGateTrait(hold: .shared) }

    /// An assertion on the wall clock: the test case runs with no other heavy work of this process.
    package static var quietMachine: Self { MachineGateTrait(hold: .exclusive) }
}
