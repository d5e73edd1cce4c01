import CSystemShims
import Foundation
import Synchronization

/// Runs jobs one at a time, in order, on a thread of its own whose CPU
/// priority is lowered (nice 10): the checkpoint writer. Encoding a large
/// engine state and computing its checksum take milliseconds of CPU, and on
/// a machine with few cores a writer at the generating thread's priority
/// competes with it for a core just when an event falls due; at nice 10 the
/// scheduler lets the generating thread run first when both want to. The
/// thread ends when this object goes.
final class BackgroundWriter: Sendable {
    private enum Job: Sendable {
        case run(@Sendable () -> Void)
        case stop
    }

    /// How far below normal priority the thread runs (a nice value; 0 is normal).
    static let niceness: Int32 = 10

    /// The jobs not yet run, and a count of them to wait on (shared with the thread).
    private final class Queue: Sendable {
        let jobs = Mutex<[Job]>([])
        let ready = DispatchSemaphore(value: 0)
    }

    private let queue = Queue()

    init(name: String) {
        let queue = self.queue
        let thread = Thread {
            _ = llm_workload_set_thread_niceness(Self.niceness)
            while true {
                queue.ready.wait()
                let job = queue.jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                switch job {
                case .run(let body)?: body()
                case .stop?: return
                case nil: continue
                }
            }
        }
        thread.name = name
        thread.start()
    }

    deinit { enqueue(.stop) }

    /// Runs `body` after every job queued before it, without waiting.
    func async(_ body: @escaping @Sendable () -> Void) {
        enqueue(.run(body))
    }

    /// Runs `body` after every job queued before it and waits until it is done.
    func sync(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        enqueue(.run { body(); done.signal() })
        done.wait()
    }

    private func enqueue(_ job: Job) {
        queue.jobs.withLock { $0.append(job) }
        queue.ready.signal()
    }
}
