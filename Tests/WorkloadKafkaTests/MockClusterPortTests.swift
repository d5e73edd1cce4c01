import Foundation
import Glibc
import Testing
import WorkloadKafka

/// A broker taken down keeps its port: nothing else on the machine can bind it (librdkafka aborts the
/// process when it cannot bind the port again on the way back up), and connections are still refused.
@Suite("Mock cluster: a downed broker's port", .mockCluster, .timeLimit(.minutes(10)))
struct MockClusterPortTests {
    /// Binds 127.0.0.1:`port` the way an unrelated socket would (no SO_REUSEADDR); the errno, or 0.
    private func bindError(_ port: UInt16) -> Int32 { onNewSocket(port, bind) }

    /// Connects to 127.0.0.1:`port`; the errno, or 0.
    private func connectError(_ port: UInt16) -> Int32 { onNewSocket(port, connect) }

    /// Calls `call` (bind or connect) on a new TCP socket with 127.0.0.1:`port`; the errno, or 0.
    private func onNewSocket(_ port: UInt16, _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0 ? 0 : errno
    }

    @Test("down: the port cannot be taken and refuses connections; up: it listens again, twice over")
    func downedPortIsHeld() throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock-port"))
        let port = try #require(cluster.bootstrapServers.split(separator: ":").last.flatMap { UInt16($0) })
        for _ in 0..<2 {
            try cluster.setBrokerDown(1)
            #expect(bindError(port) == EADDRINUSE, "a downed broker's port must stay taken")
            #expect(connectError(port) == ECONNREFUSED)
            try cluster.setBrokerUp(1)
            #expect(connectError(port) == 0, "the broker listens again")
        }
    }
}
