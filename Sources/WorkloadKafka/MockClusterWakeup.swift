#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Works around a lost wake-up in librdkafka 2.0.2's mock cluster.
///
/// Every control call (create a topic, take a broker down, ...) is an operation
/// queued to the cluster's own thread, which waits in `poll(2)` on its broker
/// sockets with a timeout of up to 1 s. Now and then the queue's wake-up is
/// missed and the operation is served only when that poll times out: seen as
/// `createTopic` taking 1,007 ms in 2 of 12 starts of `run --embedded-kafka` on
/// a loaded machine, which was the whole 1.05 s start-up delay (measured with
/// the per-step marks of `bench`'s first-event figure). While an operation is
/// pending for more than 2 ms, opening (and at once closing) a TCP connection
/// to each broker's listener wakes that poll, and the operation is served.
enum MockClusterWakeup {
    /// Runs `operation` (a blocking mock-cluster call) and pokes the brokers at
    /// `ports` on 127.0.0.1 every 2 ms until it returns.
    static func perform<R>(pokingPorts ports: [UInt16], _ operation: () -> R) -> R {
        let pending = PendingFlag()
        let poker = Thread {
            while pending.isSet {
                usleep(2_000)
                guard pending.isSet else { break }
                for port in ports { poke(port) }
            }
        }
        poker.name = "mock-cluster-wakeup"
        poker.start()
        defer { pending.clear() }
        return operation()
    }

    /// The ports of a `host:port,host:port` bootstrap list.
    static func ports(of bootstrapServers: String) -> [UInt16] {
        bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } }
    }

    private static func poke(_ port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}

/// Set while a mock-cluster operation is pending.
private final class PendingFlag: Sendable {
    private let flag = Atomic<Bool>(true)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func clear() { flag.store(false, ordering: .releasing) }
}
