import Foundation
import Glibc

/// A bound `AF_UNIX` datagram socket standing in for systemd's notification socket.
package final class NotifySocket: @unchecked Sendable {
    // @unchecked Sendable: after init only `receive` touches the descriptor, from one
    // test thread at a time.
    package let fd: Int32
    package let path: String?

    /// `name` is a file-system path, or an abstract name when `abstract` is true.
    /// A receive gives up after `receiveTimeout` seconds, so a missing message fails
    /// a test instead of hanging it.
    ///
    /// The stored properties are set only once the socket is bound: when an init throws after
    /// setting them all, the deinit runs and would close the descriptor a second time (by then
    /// perhaps another thread's) and unlink a path this socket never bound.
    package init(name: String, abstract: Bool, receiveTimeout: Double) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        var bytes = Array(name.utf8)
        if abstract { bytes.insert(0, at: 0) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EADDRINUSE)
        }
        let whole = Int(receiveTimeout)
        var timeout = timeval(tv_sec: whole, tv_usec: Int((receiveTimeout - Double(whole)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        path = abstract ? nil : name
    }

    /// The next datagram, or nil when none came within the receive timeout.
    package func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    deinit {
        close(fd)
        if let path { unlink(path) }
    }
}
