#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import WorkloadDaemon

/// The checkpoint writer's thread: jobs run one at a time in the order given,
/// `sync` returns only after every earlier job, and the thread runs below
/// normal CPU priority so that it never competes with the pacing thread.
@Suite("BackgroundWriter")
struct BackgroundWriterTests {
    private final class Seen: Sendable {
        let order = Mutex<[Int]>([])
        let niceness = Mutex<Int32?>(nil)
    }

    @Test("jobs run in order on a thread at nice 10; sync waits for the jobs queued before it")
    func ordered() {
        let writer = BackgroundWriter(name: "test.background-writer")
        let seen = Seen()
        for index in 0..<200 {
            writer.async { seen.order.withLock { $0.append(index) } }
        }
        // On Linux a nice value belongs to the calling thread (who 0).
        writer.sync { seen.niceness.withLock { $0 = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) } }
        #expect(seen.order.withLock { $0 } == Array(0..<200))
        let own = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #expect(seen.niceness.withLock { $0 } == max(own, BackgroundWriter.niceness), "the test thread runs at nice \(own)")
    }
}
