import Foundation
import Glibc
import TestSupport

/// A real Kafka-protocol broker for one test: noida-db (PyPI, pinned and hash-checked in
/// `.ci/noida-db-requirements.txt`) on a free loopback port, with a fresh data directory,
/// stopped (its whole process group) when this goes.
///
/// Not for broker-crash tests: a killed noida-db loses records it acknowledged since its
/// last snapshot. The mock cluster keeps those (fault injection).
final class NoidaBroker: Sendable {
    let port: UInt16
    let dataDirectory: URL
    private let process: TestProcess

    var bootstrap: String { "127.0.0.1:\(port)" }

    /// Starts it and waits until its Kafka port accepts connections.
    init(executable: String) throws {
        dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("noida-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        var lastError = ""
        // A port found free may be taken before the broker binds it: try another.
        for _ in 0..<3 {
            let port = try Self.freePort()
            let process = try TestProcess(executable, ["start", "--only", "kafka", "--host", "127.0.0.1",
                                                       "--kafka-port", String(port), "--data-dir", dataDirectory.path])
            let up = process.wait(upTo: 20) { Self.accepts(port: port) || !process.isRunning }
            if up && process.isRunning {
                self.port = port
                self.process = process
                return
            }
            lastError = process.stderr
            process.killGroup()
            _ = process.waitForExit(timeout: 10)
        }
        throw BrokerError(description: "noida-db did not start: \(lastError.suffix(500))")
    }

    deinit {
        process.killGroup(SIGTERM)
        if process.waitForExit(timeout: 10) == nil { process.killGroup(SIGKILL) }
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// What the broker wrote (for failure messages).
    var log: String { process.stderr + process.stdout }

    struct BrokerError: Error, CustomStringConvertible {
        var description: String
    }

    /// A loopback port nothing listens on (bound to port 0, then let go).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BrokerError(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BrokerError(description: "bind: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether something accepts a TCP connection on the loopback `port`.
    static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
