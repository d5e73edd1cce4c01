import Foundation

/// A task executor with threads of its own, apart from Swift's cooperative pool (two threads on
/// two cores, which the CPU-bound statistics and fuzz tests hold for seconds at a time). A job
/// runs on an idle thread of the executor, or on a new one when every thread is busy, so a job
/// that blocks (a test waiting on a daemon, a consumer or a child process) never delays another.
/// A thread left idle for a second ends. The daemons that tests start in process run their tasks
/// on one (`DaemonRun`), so that they never wait for the pool.
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
