#if canImport(Glibc)
import Glibc
#endif

/// A bound TCP socket on a 127.0.0.1 port that does not listen: the port stays taken (no other
/// socket can bind it or get it as an ephemeral port) while connections to it are refused.
///
/// Kept apart from the files that import CRdKafka: there the socket constants resolve through
/// librdkafka's headers, and a clean build of the module then cannot see them from Glibc elsewhere.
enum PortHold {
    /// Binds `port` (with SO_REUSEADDR, as a closed listener's accepted connections may linger in
    /// TIME_WAIT); nil when it is taken, e.g. by a socket that still listens there.
    static func bind(_ port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Gives the port back.
    static func release(_ fd: Int32) {
        close(fd)
    }
}
