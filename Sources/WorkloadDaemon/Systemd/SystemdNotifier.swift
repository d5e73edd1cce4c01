#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Why a notification could not be delivered to the service manager.
package enum SystemdNotifyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `NOTIFY_SOCKET` is set but is neither an absolute path nor an abstract name (`@name`).
    case unsupportedAddress(String)
    /// The socket name does not fit in `sockaddr_un.sun_path`.
    case addressTooLong(String)
    /// `socket(2)` failed.
    case socketFailed(errno: Int32)
    /// `sendto(2)` failed, or sent fewer bytes than the datagram holds.
    case sendFailed(address: String, errno: Int32)

    package var description: String {
        switch self {
        case .unsupportedAddress(let address):
            return "NOTIFY_SOCKET=\(address): not an absolute path or an abstract socket name"
        case .addressTooLong(let address):
            return "NOTIFY_SOCKET=\(address): longer than a unix socket path may be"
        case .socketFailed(let code):
            return "socket(AF_UNIX, SOCK_DGRAM): \(errnoDescription(code))"
        case .sendFailed(let address, let code):
            return "sendto(\(address)): \(errnoDescription(code))"
        }
    }
}

/// Talks to systemd's notification socket (`sd_notify(3)`) without libsystemd.
///
/// The protocol is one `AF_UNIX` datagram per notification, holding newline-separated
/// `KEY=value` assignments, sent to the socket named by `NOTIFY_SOCKET`. That name is
/// either an absolute file-system path or, with a leading `@`, a Linux abstract socket
/// whose name starts with a NUL byte. Each `send` opens a fresh socket, so the notifier
/// is a plain value that any thread may use.
///
/// Failures never crash: each call returns its outcome, and a failure is also logged
/// when a logger was given (a daemon has nothing better to do with it).
package struct SystemdNotifier: Sendable {
    /// `NOTIFY_SOCKET` as given.
    package let socketAddress: String
    /// How often systemd expects `WATCHDOG=1` (`WATCHDOG_USEC`), or nil when the watchdog
    /// is off or meant for another process (`WATCHDOG_PID`). Ping at about half of it.
    package let watchdogInterval: Duration?

    /// The bytes of `sun_path` (with the leading NUL for abstract sockets, without a
    /// trailing NUL), or the reason the address cannot be used.
    private let socketName: Result<[UInt8], SystemdNotifyError>
    private let logger: Logger?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    ///
    /// Returns nil when `NOTIFY_SOCKET` is unset or empty (not started by systemd with
    /// `Type=notify`). An address that cannot be used still yields a notifier, whose
    /// sends report (and log) the problem, so a misconfiguration is seen rather than
    /// silently ignored.
    package init?(environment: [String: String], processID: Int32 = getpid(), logger: Logger? = nil) {
        guard let address = environment["NOTIFY_SOCKET"], !address.isEmpty else { return nil }
        self.init(
            socketAddress: address,
            watchdogInterval: Self.watchdogInterval(environment: environment, processID: processID),
            logger: logger
        )
    }

    /// A notifier for an explicit socket address (`/path` or `@abstract`).
    package init(socketAddress: String, watchdogInterval: Duration? = nil, logger: Logger? = nil) {
        self.socketAddress = socketAddress
        self.watchdogInterval = watchdogInterval
        self.socketName = Self.socketName(for: socketAddress)
        self.logger = logger
    }

    /// The watchdog interval that `WATCHDOG_USEC` asks for, honouring `WATCHDOG_PID`:
    /// when that is set and is not `processID`, the watchdog is some other process's.
    package static func watchdogInterval(environment: [String: String], processID: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0,
              usec <= UInt64(Int64.max) else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let pid = Int32(pidText), pid == processID else { return nil }
        }
        return .microseconds(Int64(usec))
    }

    // MARK: Notifications

    /// Sends `state` (one or more newline-separated `KEY=value` lines) as one datagram.
    @discardableResult
    package func send(_ state: String) -> Result<Void, SystemdNotifyError> {
        let result = deliver(Array(state.utf8))
        if case .failure(let error) = result {
            logger?.warning("sd_notify failed", metadata: [
                "error": "\(error)",
                "state": "\(state.prefix(64))",
            ])
        }
        return result
    }

    /// `READY=1`: start-up is finished (ends `systemctl start` for `Type=notify`).
    @discardableResult
    package func ready() -> Result<Void, SystemdNotifyError> { send("READY=1") }

    /// `STATUS=…`: a one-line status shown by `systemctl status`. Newlines would start new
    /// assignments, so they are replaced by spaces.
    @discardableResult
    package func status(_ text: String) -> Result<Void, SystemdNotifyError> {
        let oneLine = String(text.map { $0.isNewline ? " " : $0 })
        return send("STATUS=" + oneLine)
    }

    /// `WATCHDOG=1`: the keep-alive ping, sent from the main loop.
    @discardableResult
    package func watchdog() -> Result<Void, SystemdNotifyError> { send("WATCHDOG=1") }

    /// `STOPPING=1`: shutdown has begun.
    @discardableResult
    package func stopping() -> Result<Void, SystemdNotifyError> { send("STOPPING=1") }

    /// `EXTEND_TIMEOUT_USEC=…`: asks for more time for the current start-up or shutdown
    /// phase (for example a long Kafka flush).
    @discardableResult
    package func extendTimeout(by duration: Duration) -> Result<Void, SystemdNotifyError> {
        let (seconds, attoseconds) = duration.components
        let usec = max(0, seconds) &* 1_000_000 &+ max(0, attoseconds / 1_000_000_000_000)
        return send("EXTEND_TIMEOUT_USEC=\(usec)")
    }

    // MARK: Socket plumbing

    private static func socketName(for address: String) -> Result<[UInt8], SystemdNotifyError> {
        var bytes = Array(address.utf8)
        switch bytes.first {
        case UInt8(ascii: "/"):
            // Path sockets need room for the terminating NUL.
            guard bytes.count < sunPathCapacity else { return .failure(.addressTooLong(address)) }
        case UInt8(ascii: "@"):
            // Abstract sockets: the name is the bytes after a leading NUL, not NUL-terminated.
            bytes[0] = 0
            guard bytes.count <= sunPathCapacity else { return .failure(.addressTooLong(address)) }
        default:
            return .failure(.unsupportedAddress(address))
        }
        return .success(bytes)
    }

    private static var sunPathCapacity: Int {
        MemoryLayout.size(ofValue: sockaddr_un().sun_path)
    }

    private func deliver(_ payload: [UInt8]) -> Result<Void, SystemdNotifyError> {
        let name: [UInt8]
        switch socketName {
        case .success(let bytes): name = bytes
        case .failure(let error): return .failure(error)
        }

        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else { return .failure(.socketFailed(errno: errno)) }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: name)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        // Abstract names are exactly `name.count` bytes long; path names include their NUL.
        let length = pathOffset + name.count + (name.first == 0 ? 0 : 1)

        let sent = payload.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(sendFlags), socketAddress, socklen_t(length))
                }
            }
        }
        guard sent == payload.count else {
            return .failure(.sendFailed(address: socketAddress, errno: sent < 0 ? errno : EMSGSIZE))
        }
        return .success(())
    }
}

#if canImport(Darwin)
private let sendFlags = 0
#else
private let sendFlags = Int(MSG_NOSIGNAL)
#endif
