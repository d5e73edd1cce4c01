import Foundation
import Glibc
import Testing

/// Two threads under Linux's `SCHED_IDLE` policy: they run only when no ordinary thread
/// wants the CPU. The statistics suites run their bodies here (``Trait/background``), so that
/// their minutes of CPU fill the gaps between the daemon and process tests instead of holding
/// the cooperative pool's two threads (two cores here) while those tests wait for one, and
/// so that a real-time or fault test's wall-clock checks never compete with them. An
/// unprivileged thread may switch itself to `SCHED_IDLE`; where it cannot, the thread stays
/// an ordinary one and the tests still pass, only without the priority.
package final class BackgroundExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    package static let shared = BackgroundExecutor(threads: 2)

    private init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "statistics-\(index)"
            thread.start()
        }
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        var parameters = sched_param()
        parameters.sched_priority = 0
        // SCHED_IDLE is 5 in Linux's <sched.h>, visible to C only with _GNU_SOURCE.
        _ = pthread_setschedparam(pthread_self(), 5, &parameters)
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Runs each test of a suite (or one test) on ``BackgroundExecutor``.
package struct BackgroundTrait: TestTrait, SuiteTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // A suite's own scope has no test case: only the test cases hop.
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(BackgroundExecutor.shared) {
            try await function()
        }
    }
}

extension Trait where Self == BackgroundTrait {
    /// CPU-bound work that may wait: the test runs at idle priority on threads of its own.
    package static var background: Self { BackgroundTrait() }
}
