import Dispatch
import Glibc
import Logging
import Testing
@testable import WorkloadDaemon

@Suite("StopSignal", .serialized)
struct StopSignalTests {
    @Test("set is one-way and wakes waiters")
    func flag() {
        let stop = StopSignal()
        #expect(!stop.isSet)
        #expect(stop.receivedSignal == nil)
        #expect(!stop.wait(timeout: .milliseconds(1)))
        DispatchQueue.global().async { stop.set() }
        stop.wait()
        #expect(stop.isSet)
        stop.set()
        #expect(stop.isSet)
        #expect(stop.wait(timeout: .zero))
        #expect(stop.receivedSignal == nil)
    }

    @Test("SIGHUP is ignored and counted; SIGTERM sets the flag")
    func signals() throws {
        // Second-signal exit off: this process is the shared test runner.
        let stop = StopSignal.installHandlers(logger: Logger(label: "test.signals"), forceExitOnSecondSignal: false)
        defer {
            // Hand the shared test process its default dispositions back.
            stop.cancelHandlers()
            for number in [SIGTERM, SIGINT, SIGHUP] { signal(number, SIG_DFL) }
        }

        kill(getpid(), SIGHUP)
        // Delivery is asynchronous (dispatch queue); wait for it rather than sleep blindly.
        for _ in 0..<1_000 where stop.hangups == 0 { usleep(10_000) }
        #expect(stop.hangups == 1)
        #expect(!stop.isSet)

        kill(getpid(), SIGTERM)
        #expect(stop.wait(timeout: .seconds(10)))
        #expect(stop.isSet)
        #expect(stop.receivedSignal == SIGTERM)
    }
}
