#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Foundation
import Logging
import Synchronization

/// Why the metrics endpoint could not be set up.
package enum HTTPMetricsServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `metrics.listen` is not `host:port` (IPv6 hosts in brackets, port 0–65535).
    case invalidListenAddress(String, reason: String)
    /// The host part did not resolve (`getaddrinfo`).
    case unresolvableListenAddress(String, reason: String)
    /// Creating, binding or listening on the socket failed.
    case bindFailed(String, errno: Int32)
    /// The wake-up pipe could not be created.
    case pipeFailed(errno: Int32)

    package var description: String {
        switch self {
        case .invalidListenAddress(let address, let reason):
            return "metrics.listen \"\(address)\": \(reason)"
        case .unresolvableListenAddress(let address, let reason):
            return "metrics.listen \"\(address)\": cannot resolve host: \(reason)"
        case .bindFailed(let address, let code):
            return "metrics.listen \"\(address)\": cannot listen: \(errnoDescription(code))"
        case .pipeFailed(let code):
            return "metrics server: pipe: \(errnoDescription(code))"
        }
    }
}

/// A minimal HTTP/1.1 server for Prometheus scrapes and health probes, on POSIX sockets:
/// one thread accepts, and every connection is served on a thread of its own.
///
/// - `GET /metrics`: 200, `text/plain; version=0.0.4`, the `metrics` closure's text.
/// - `GET /healthz`: 200 `ok` when `health` returns true, else 503 `unhealthy`.
/// - `HEAD` of either: the same headers without a body. Other methods: 405. Other
///   paths: 404. Malformed requests: 400. Every response closes the connection.
///
/// Connections are served concurrently, so a slow or idle client never delays another
/// (a scrape from another host must not wait behind a stalled one). Each connection has
/// its own limits: its request headers must arrive within `requestTimeout` (the header
/// time limit) and fit in 8 KiB (431 otherwise), and the response must be taken within
/// the same deadline. At most 128 connections are served at once, so clients cannot
/// exhaust the threads. A connection arriving at the limit takes the place of the oldest
/// one still waiting for its request (idle clients must not starve a health probe, which
/// a kubelet would take for a dead pod); when every connection is past its request, it
/// gets `429 Too Many Requests` with `Retry-After: 1` ("busy", never the `503` of
/// "unhealthy") and is closed.
/// Hand-written rather than SwiftNIO: two endpoints with fixed bodies need no event loop,
/// and NIO would double the build time on this machine. The server runs from `init`
/// until `shutdown()`.
package final class HTTPMetricsServer: Sendable {
    /// `metrics.listen` as given.
    package let listenAddress: String
    /// The address actually bound, e.g. `127.0.0.1:9464` or `[::1]:40321`.
    package let boundAddress: String
    /// The port actually bound (the ephemeral one when asked for port 0).
    package let port: UInt16

    static let maxRequestHeaderBytes = 8 * 1024
    /// Connections served at once; more replace the oldest waiting for its request, or
    /// are answered 429 and closed.
    static let maxConnections = 128
    private let requestTimeoutNanoseconds: UInt64

    private let listenFD: Int32
    private let wakeReadFD: Int32
    private let wakeWriteFD: Int32
    private let metrics: @Sendable () -> String
    private let health: @Sendable () -> Bool
    private let logger: Logger
    private let isStopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// Connections being served, and a group their threads leave when done.
    private let connections = Mutex(ConnectionTable())
    private let connectionThreads = DispatchGroup()

    /// Binds `listen` (`host:port`, `[v6]:port`, `:port` for every interface; port 0 picks a
    /// free port) and starts serving on a new thread.
    package init(
        listen: String,
        requestTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "llm-workload.metrics-http"),
        metrics: @escaping @Sendable () -> String,
        health: @escaping @Sendable () -> Bool
    ) throws(HTTPMetricsServerError) {
        let (host, port) = try Self.parse(listen)
        let listener = try Self.bindListener(host: host, port: port, address: listen)

        // pipe2 and accept4 are not visible to Swift without _GNU_SOURCE: set the flags
        // with fcntl (nothing here forks, so the window before FD_CLOEXEC is harmless).
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            let code = errno
            close(listener.fd)
            throw .pipeFailed(errno: code)
        }
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }

        self.listenAddress = listen
        self.boundAddress = listener.bound
        self.port = listener.port
        let (seconds, attoseconds) = requestTimeout.components
        self.requestTimeoutNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        self.listenFD = listener.fd
        self.wakeReadFD = pipeFDs[0]
        self.wakeWriteFD = pipeFDs[1]
        self.metrics = metrics
        self.health = health
        self.logger = logger

        let thread = Thread { [self] in
            self.serve()
            self.finished.signal()
        }
        thread.name = "metrics-http"
        thread.start()
        logger.info("metrics endpoint listening", metadata: ["address": "\(boundAddress)"])
    }

    /// Stops accepting, ends every connection in hand at once (the wake pipe interrupts
    /// their waits), joins the threads and closes the sockets. Safe to call more than once.
    package func shutdown() {
        guard !isStopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(wakeWriteFD, &byte, 1)
        finished.wait()
        connectionThreads.wait()
        close(listenFD)
        close(wakeReadFD)
        close(wakeWriteFD)
        logger.info("metrics endpoint stopped", metadata: ["address": "\(boundAddress)"])
    }

    // MARK: Address

    /// Splits `host:port`; the host may be empty (every interface) or a bracketed IPv6
    /// literal.
    static func parse(_ address: String) throws(HTTPMetricsServerError) -> (host: String?, port: UInt16) {
        guard let colon = address.lastIndex(of: ":") else {
            throw .invalidListenAddress(address, reason: "expected host:port")
        }
        var host = String(address[..<colon])
        let portText = address[address.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), let port = UInt16(portText) else {
            throw .invalidListenAddress(address, reason: "port must be a number from 0 to 65535")
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else {
                throw .invalidListenAddress(address, reason: "unterminated [IPv6] host")
            }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw .invalidListenAddress(address, reason: "write IPv6 hosts in brackets, e.g. [::1]:9464")
        }
        return (host.isEmpty ? nil : host, port)
    }

    private static func bindListener(host: String?, port: UInt16, address: String)
        throws(HTTPMetricsServerError) -> (fd: Int32, bound: String, port: UInt16)
    {
        let (status, results) = ListenAddress.resolve(host: host, port: port)
        guard status == 0, let first = results else {
            throw .unresolvableListenAddress(address, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }

        var lastErrno: Int32 = EADDRNOTAVAIL
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family,
                            Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { lastErrno = errno; continue }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 64) == 0 else {
                lastErrno = errno
                close(fd)
                continue
            }
            let (boundHost, boundPort) = localAddress(of: fd)
            let printable = boundHost.contains(":") ? "[\(boundHost)]:\(boundPort)" : "\(boundHost):\(boundPort)"
            return (fd, printable, boundPort)
        }
        throw .bindFailed(address, errno: lastErrno)
    }

    private static func localAddress(of fd: Int32) -> (host: String, port: UInt16) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let ok = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getsockname(fd, address, &length) == 0
                    && getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                                   NI_NUMERICHOST | NI_NUMERICSERV) == 0
            }
        }
        guard ok else { return ("?", 0) }
        let hostText = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let serviceText = service.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (hostText, UInt16(serviceText) ?? 0)
    }

    // MARK: Serving

    private func serve() {
        var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeReadFD, events: Int16(POLLIN), revents: 0)]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                logger.error("metrics endpoint poll failed", metadata: ["error": "\(errnoDescription(errno))"])
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }

            // The listener is non-blocking, so a connection that vanished after poll
            // cannot block accept. The accepted socket stays blocking; every recv/send
            // passes MSG_DONTWAIT and waits in poll, with the deadline and the wake pipe.
            let connection = accept(listenFD, nil, nil)
            guard connection >= 0 else {
                let code = errno
                switch code {
                case EINTR, EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO:
                    continue
                default:
                    // Out of descriptors or memory: back off instead of spinning on poll.
                    logger.warning("metrics endpoint accept failed", metadata: ["error": "\(errnoDescription(code))"])
                    usleep(100_000)
                    continue
                }
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            guard let ordinal = admit(connection) else { continue }
            connectionThreads.enter()
            let thread = Thread { [self] in
                handle(connection, ordinal: ordinal)
                connections.withLock { table in
                    if table.entries[connection]?.ordinal == ordinal { table.entries[connection] = nil }
                }
                close(connection)
                connectionThreads.leave()
            }
            thread.name = "metrics-http-connection"
            thread.start()
        }
    }

    /// The connection's ordinal in the table, making room by dropping the oldest connection
    /// still awaiting its request; nil (answered 429 and closed) when every one is busy.
    private func admit(_ connection: Int32) -> UInt64? {
        let ordinal = connections.withLock { table -> UInt64? in
            if table.entries.count >= Self.maxConnections {
                guard let oldest = table.oldestAwaitingRequest() else { return nil }
                // Its thread sees end-of-file at once and closes it; the descriptor stays
                // open until then, so it cannot be another connection's yet.
                _ = Glibc.shutdown(oldest, Int32(SHUT_RDWR))
                table.entries[oldest] = nil
            }
            return table.admit(connection)
        }
        guard ordinal == nil else { return ordinal }
        // Best effort, never blocking the accepting thread: the socket buffer takes it.
        let busy = Array(("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 5\r\nConnection: close\r\n\r\nbusy\n").utf8)
        _ = busy.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        close(connection)
        return nil
    }

    private enum IOResult {
        case ok
        case closed
        case failed
    }

    private func handle(_ fd: Int32, ordinal: UInt64) {
        let clock = SystemWallClock()
        let deadline = clock.now() + requestTimeoutNanoseconds

        var request = [UInt8]()
        var headerEnd: Int?
        readLoop: while headerEnd == nil {
            if request.count > Self.maxRequestHeaderBytes {
                respond(fd, status: "431 Request Header Fields Too Large", body: "request headers too large\n", deadline: deadline)
                return
            }
            switch receive(fd, into: &request, deadline: deadline) {
            case .ok:
                headerEnd = Self.endOfHeaders(request)
            case .closed:
                // Client finished sending without a complete request (half-close).
                if !request.isEmpty {
                    respond(fd, status: "400 Bad Request", body: "bad request\n", deadline: deadline)
                }
                return
            case .failed:
                return
            }
        }

        // Past its request: no longer the one a newcomer replaces at the limit.
        connections.withLock { table in
            if table.entries[fd]?.ordinal == ordinal { table.entries[fd]?.awaitingRequest = false }
        }
        let (status, contentType, body, headOnly) = route(Array(request[..<headerEnd!]))
        respond(fd, status: status, contentType: contentType, body: body, headOnly: headOnly, deadline: deadline)
    }

    /// Index just past the blank line ending the headers (CRLF CRLF, or bare LF LF).
    static func endOfHeaders(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { return i + 2 }
                if i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\r"), bytes[i + 2] == UInt8(ascii: "\n") { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    private func route(_ head: [UInt8]) -> (status: String, contentType: String, body: String, headOnly: Bool) {
        // Work on bytes: as Characters, "\r\n" is one grapheme and matches neither alone.
        let lineBytes = head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let requestLine = String(decoding: lineBytes, as: UTF8.self)
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        let plain = "text/plain; charset=utf-8"
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/") else {
            return ("400 Bad Request", plain, "bad request\n", false)
        }
        let method = parts[0]
        let path = parts[1].prefix { $0 != "?" }
        guard path == "/metrics" || path == "/healthz" else {
            return ("404 Not Found", plain, "not found\n", method == "HEAD")
        }
        guard method == "GET" || method == "HEAD" else {
            return ("405 Method Not Allowed", plain, "method not allowed\n", false)
        }
        let headOnly = method == "HEAD"
        if path == "/metrics" {
            return ("200 OK", DaemonMetrics.contentType, metrics(), headOnly)
        }
        return health() ? ("200 OK", plain, "ok\n", headOnly) : ("503 Service Unavailable", plain, "unhealthy\n", headOnly)
    }

    private func respond(_ fd: Int32, status: String, contentType: String = "text/plain; charset=utf-8",
                         body: String, headOnly: Bool = false, deadline: UInt64) {
        let bodyBytes = Array(body.utf8)
        var head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bodyBytes.count)\r\n"
        if status.hasPrefix("405") { head += "Allow: GET, HEAD\r\n" }
        head += "Connection: close\r\n\r\n"
        var response = Array(head.utf8)
        if !headOnly { response += bodyBytes }
        guard sendAll(fd, response, deadline: deadline) else { return }
        // Lingering close: signal end of response, then take what the client still sends
        // so that closing does not reset the connection before it has read the response.
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        let lingerDeadline = min(deadline, SystemWallClock().now() + 200_000_000)
        var sink = [UInt8]()
        while sink.count < 64 * 1024, case .ok = receive(fd, into: &sink, deadline: lingerDeadline) {
            sink.removeAll(keepingCapacity: true)
        }
    }

    /// Waits until `fd` is ready for `events`, the deadline passes, or shutdown is asked.
    private func wait(_ fd: Int32, for events: Int32, deadline: UInt64) -> Bool {
        let clock = SystemWallClock()
        var fds = [pollfd(fd: fd, events: Int16(events), revents: 0),
                   pollfd(fd: wakeReadFD, events: Int16(POLLIN), revents: 0)]
        while true {
            let now = clock.now()
            guard now < deadline else { return false }
            let timeoutMs = Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, nfds_t(fds.count), timeoutMs)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            if fds[1].revents != 0 { return false }  // shutting down
            return true  // readable, writable, or hung up: the next call tells which
        }
    }

    private func receive(_ fd: Int32, into buffer: inout [UInt8], deadline: UInt64) -> IOResult {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                buffer += chunk[0..<n]
                return .ok
            }
            if n == 0 { return .closed }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                guard wait(fd, for: Int32(POLLIN), deadline: deadline) else { return .failed }
            default:
                return .failed
            }
        }
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8], deadline: UInt64) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n > 0 {
                offset += n
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                guard wait(fd, for: Int32(POLLOUT), deadline: deadline) else { return false }
            default:
                return false
            }
        }
        return true
    }
}

/// The connections being served, by descriptor, in order of arrival.
struct ConnectionTable {
    struct Entry {
        /// Arrival order: the lowest is the oldest.
        var ordinal: UInt64
        /// Its request headers have not all arrived yet.
        var awaitingRequest = true
    }

    var entries: [Int32: Entry] = [:]
    var nextOrdinal: UInt64 = 0

    mutating func admit(_ fd: Int32) -> UInt64 {
        nextOrdinal += 1
        entries[fd] = Entry(ordinal: nextOrdinal)
        return nextOrdinal
    }

    /// The connection that has waited longest for its request, if any still waits.
    /// One with bytes not yet read is passed over: its request (a probe's, sent at
    /// once) has arrived and its thread is about to answer it.
    func oldestAwaitingRequest() -> Int32? {
        let waiting = entries.filter { $0.value.awaitingRequest }.sorted { $0.value.ordinal < $1.value.ordinal }
        return waiting.first { fd, _ in
            var pending: Int32 = 0
            return ioctl(fd, UInt(FIONREAD), &pending) == 0 && pending == 0
        }?.key
    }
}
