import Foundation
import Glibc
import Testing
import TestSupport
@testable import WorkloadDaemon

private func failure(_ result: Result<Void, SystemdNotifyError>) -> SystemdNotifyError? {
    if case .failure(let error) = result { return error }
    return nil
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("llm-workload-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("SystemdNotifier")
struct SystemdNotifierTests {
    @Test("path socket receives READY, STATUS, WATCHDOG, STOPPING in order")
    func pathSocket() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notify").path
        let receiver = try NotifySocket(name: path, abstract: false, receiveTimeout: 5)

        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": path]))
        #expect(notifier.socketAddress == path)
        try notifier.ready().get()
        try notifier.status("generating\nat 5 req/s").get()
        try notifier.watchdog().get()
        try notifier.stopping().get()
        try notifier.extendTimeout(by: .milliseconds(1500)).get()

        #expect(receiver.receive() == "READY=1")
        #expect(receiver.receive() == "STATUS=generating at 5 req/s")
        #expect(receiver.receive() == "WATCHDOG=1")
        #expect(receiver.receive() == "STOPPING=1")
        #expect(receiver.receive() == "EXTEND_TIMEOUT_USEC=1500000")
    }

    @Test("abstract socket ('@' becomes a NUL byte)")
    func abstractSocket() throws {
        let name = "llm-workload-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let receiver = try NotifySocket(name: name, abstract: true, receiveTimeout: 5)

        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@" + name]))
        try notifier.ready().get()
        try notifier.send("STATUS=a\nWATCHDOG=1").get()
        try notifier.stopping().get()

        #expect(receiver.receive() == "READY=1")
        #expect(receiver.receive() == "STATUS=a\nWATCHDOG=1")
        #expect(receiver.receive() == "STOPPING=1")
    }

    @Test("no NOTIFY_SOCKET, no notifier")
    func unset() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
    }

    @Test("send errors are returned, not fatal")
    func errors() throws {
        let missing = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/llm-workload/notify"]))
        guard case .failure(.sendFailed(let address, let code)) = missing.ready() else {
            Issue.record("expected sendFailed")
            return
        }
        #expect(address == "/nonexistent/llm-workload/notify")
        #expect(code == ENOENT)

        let relative = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "run/notify"]))
        #expect(failure(relative.ready()) == .unsupportedAddress("run/notify"))

        let long = "/" + String(repeating: "x", count: 200)
        let tooLong = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": long]))
        #expect(failure(tooLong.watchdog()) == .addressTooLong(long))
    }

    @Test("watchdog interval from WATCHDOG_USEC, honouring WATCHDOG_PID")
    func watchdogInterval() throws {
        let base = ["NOTIFY_SOCKET": "@x"]
        func interval(_ extra: [String: String], pid: Int32 = 4242) -> Duration? {
            SystemdNotifier(environment: base.merging(extra) { $1 }, processID: pid)?.watchdogInterval
        }
        #expect(interval([:]) == nil)
        #expect(interval(["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"]) == .seconds(30))
        #expect(interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4243"]) == nil)
        #expect(interval(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "junk"]) == nil)
        #expect(interval(["WATCHDOG_USEC": "0"]) == nil)
        #expect(interval(["WATCHDOG_USEC": "-5"]) == nil)
        #expect(interval(["WATCHDOG_USEC": "abc"]) == nil)
        // Default process ID is this process.
        let own = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "\(getpid())"])
        #expect(own?.watchdogInterval == .milliseconds(1))
    }
}
