import Foundation
import Testing

/// A task executor with threads of its own, apart from Swift's cooperative pool (two threads on
/// two cores, which the CPU-bound statistics and fuzz tests hold for seconds at a time). A job
/// runs on an idle thread of the executor, or on a new one when every thread is busy, so a job
/// that blocks (a test waiting on a daemon, a consumer or a child process) never delays another.
/// A thread left idle for a second ends.
package final class ThreadsExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs` and `idle` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    /// Threads waiting for a job.
    private var idle = 0
    private let name: String

    package init(name: String) {
        self.name = name
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        defer { condition.unlock() }
        jobs.append(job)
        // Every queued job needs a waiting thread of its own: a busy thread may block for long.
        if jobs.count > idle {
            let thread = Thread { [self] in work() }
            thread.name = name
            thread.start()
        } else {
            condition.signal()
        }
    }

    private func work() {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                condition.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
                condition.lock()
                continue
            }
            idle += 1
            let woken = condition.wait(until: Date().addingTimeInterval(1))
            idle -= 1
            if !woken && jobs.isEmpty { break }
        }
        condition.unlock()
    }
}

/// Runs a suite -- its tests, its child suites and their child tasks -- on a ``ThreadsExecutor``
/// of its own instead of the cooperative pool. For suites whose tests mostly wait (on real time,
/// brokers, daemons, child processes): on the pool, a serialised suite of them waits for a pool
/// thread at every step while CPU-bound tests hold both, and ends minutes after its own work.
package struct OwnThreadsTrait: SuiteTrait, TestTrait, TestScoping {
    package var isRecursive: Bool { false }

    /// Once around a whole suite, or around each case of a test outside such a suite.
    package func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite == (testCase == nil) ? self : nil
    }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(ThreadsExecutor(name: "test-own-threads")) {
            try await function()
        }
    }
}

extension Trait where Self == OwnThreadsTrait {
    /// Runs the suite (or test) on threads of its own, off the cooperative pool.
    package static var ownThreads: Self { OwnThreadsTrait() }
}
