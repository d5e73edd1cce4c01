import TestSupport
import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
@testable import WorkloadDaemon
import WorkloadModel

/// A plain blocking TCP client for the tests.
private final class TCPClient: Sendable {
    let fd: Int32

    /// `source`: the local address to connect from. The crowds of clients below connect from 127.0.0.2 so
    /// that their thousands of ephemeral ports never take the 127.0.0.1 port a mock broker of a test running
    /// alongside releases while it is down and must bind again when it comes back up (librdkafka aborts then).
    ///
    /// The descriptor is stored only once connected: a class whose stored properties are all set runs
    /// its deinit when its init throws, and a deinit closing the descriptor the failure path had already
    /// closed would close whatever another thread opened under that number meanwhile (a mock broker's
    /// listener, a producer's connection of a daemon test running alongside).
    init(port: UInt16, host: String = "127.0.0.1", source: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw POSIXError(POSIXErrorCode(rawValue: code)!)
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code)!)
        }
        // A response that never comes fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Everything until the server closes (or an error / timeout).
    func readAll() -> [UInt8] {
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return out }
            out += chunk[0..<n]
        }
    }

    deinit { close(fd) }
}

private struct HTTPResponse {
    var statusLine: String
    var headers: [String: String]
    var body: String

    init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        statusLine = lines[0]
        headers = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        body = String(text[split.upperBound...])
    }
}

private func request(_ port: UInt16, _ raw: String) throws -> HTTPResponse? {
    let client = try TCPClient(port: port)
    client.send(raw)
    return HTTPResponse(client.readAll())
}

private func get(_ port: UInt16, _ path: String, method: String = "GET") throws -> HTTPResponse? {
    try request(port, "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n")
}

@Suite("HTTPMetricsServer", .serialized, .integration, .tags(.integration), .timeLimit(.minutes(10)))
struct HTTPMetricsServerTests {
    @Test("GET /metrics serves the exposition with the 0.0.4 content type")
    func metrics() throws {
        let metrics = DaemonMetrics(profiles: ["chat"], topics: ["llm.requests"], version: "test")
        metrics.eventGenerated(typeIndex: 0, profileIndex: 0)
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", metrics: { metrics.render() }, health: { true })
        defer { server.shutdown() }
        #expect(server.port != 0)
        #expect(server.boundAddress == "127.0.0.1:\(server.port)")

        let response = try #require(try get(server.port, "/metrics"))
        #expect(response.statusLine == "HTTP/1.1 200 OK")
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.headers["connection"] == "close")
        #expect(response.headers["content-length"] == String(response.body.utf8.count))
        let parsed = try Exposition(parsing: response.body)
        #expect(parsed.value("llm_workload_events_generated_total", ["type": "request", "profile": "chat"]) == 1)

        // Query strings are ignored; HEAD has the headers and no body.
        #expect(try get(server.port, "/metrics?name[]=x")?.statusLine == "HTTP/1.1 200 OK")
        let head = try #require(try get(server.port, "/metrics", method: "HEAD"))
        #expect(head.statusLine == "HTTP/1.1 200 OK")
        #expect(head.body.isEmpty)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
    }

    @Test("GET /healthz follows the health closure: 200 ok or 503")
    func healthz() throws {
        let healthy = Flag()
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", metrics: { "" }, health: { healthy.value.load(ordering: .relaxed) })
        defer { server.shutdown() }
        let ok = try #require(try get(server.port, "/healthz"))
        #expect(ok.statusLine == "HTTP/1.1 200 OK")
        #expect(ok.body == "ok\n")

        healthy.value.store(false, ordering: .relaxed)
        let bad = try #require(try get(server.port, "/healthz"))
        #expect(bad.statusLine == "HTTP/1.1 503 Service Unavailable")
        #expect(bad.body == "unhealthy\n")
    }

    @Test("unknown paths 404, other methods 405, malformed 400")
    func errors() throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", metrics: { "m\n" }, health: { true })
        defer { server.shutdown() }
        #expect(try get(server.port, "/")?.statusLine == "HTTP/1.1 404 Not Found")
        #expect(try get(server.port, "/metrics/extra")?.statusLine == "HTTP/1.1 404 Not Found")
        let post = try #require(try request(server.port, "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"))
        #expect(post.statusLine == "HTTP/1.1 405 Method Not Allowed")
        #expect(post.headers["allow"] == "GET, HEAD")
        #expect(try request(server.port, "GET /metrics\r\n\r\n")?.statusLine == "HTTP/1.1 400 Bad Request")
        #expect(try request(server.port, "GET /metrics SPDY/3\r\n\r\n")?.statusLine == "HTTP/1.1 400 Bad Request")
        #expect(try request(server.port, "GET  /metrics HTTP/1.1\r\n\r\n")?.statusLine == "HTTP/1.1 400 Bad Request")
        // Bare LF line endings are tolerated.
        #expect(try request(server.port, "GET /healthz HTTP/1.0\n\n")?.statusLine == "HTTP/1.1 200 OK")
    }

    @Test("requests arriving in pieces are reassembled")
    func partialReads() async throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", metrics: { "m 1\n" }, health: { true })
        defer { server.shutdown() }
        let client = try TCPClient(port: server.port)
        for piece in ["G", "ET /met", "rics HTTP/1.1\r", "\nHost: x\r\n", "\r", "\n"] {
            client.send(piece)
            try await Task.sleep(for: .milliseconds(20))  // let each piece arrive as its own segment
        }
        let response = try #require(HTTPResponse(client.readAll()))
        #expect(response.statusLine == "HTTP/1.1 200 OK")
        #expect(response.body == "m 1\n")
    }

    @Test("garbage, oversized and abandoned requests do not stop the server")
    func garbage() throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", requestTimeout: .milliseconds(500),
                                           metrics: { "m 1\n" }, health: { true })
        defer { server.shutdown() }

        // Seeded, so a failure replays: HTTP_FUZZ_SEED=<the printed seed> swift test --filter garbage
        let seed = ProcessInfo.processInfo.environment["HTTP_FUZZ_SEED"].flatMap(UInt64.init) ?? 20261201
        print("HTTP fuzz seed \(seed)")
        var rng = Xoshiro256(seed: seed)
        for round in 0..<20 {
            let client = try TCPClient(port: server.port)
            let garbage = (0..<Int.random(in: 1...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            client.send(garbage + Array("\r\n\r\n".utf8))
            let reply = HTTPResponse(client.readAll())
            // Random bytes almost never form "GET /path HTTP/1.x"; either way no crash, a 400 or a close.
            #expect(reply == nil || reply?.statusLine == "HTTP/1.1 400 Bad Request", "seed \(seed), round \(round)")
        }

        // Headers beyond 8 KiB without an end.
        let flood = try TCPClient(port: server.port)
        flood.send(String(repeating: "X", count: 20_000))
        let floodReply = HTTPResponse(flood.readAll())
        #expect(floodReply?.statusLine == "HTTP/1.1 431 Request Header Fields Too Large")

        // Half a request, then the client stops sending.
        let half = try TCPClient(port: server.port)
        half.send("GET /metr")
        half.finishSending()
        #expect(HTTPResponse(half.readAll())?.statusLine == "HTTP/1.1 400 Bad Request")

        // Connect and vanish; connect and say nothing (times out after 500 ms).
        _ = try TCPClient(port: server.port)
        let silent = try TCPClient(port: server.port)

        #expect(try get(server.port, "/healthz")?.statusLine == "HTTP/1.1 200 OK")
        #expect(silent.readAll().isEmpty)
    }

    @Test("five idle connections and a slow sender do not delay a scrape: it is answered while they are all still open")
    func concurrentConnections() async throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", requestTimeout: .seconds(30),
                                           metrics: { "m 1\n" }, health: { true })
        defer { server.shutdown() }
        let idle = try (0..<5).map { _ in try TCPClient(port: server.port) }
        let slow = try TCPClient(port: server.port)
        let sending = Atomic<Bool>(true)
        let slowSender = Thread {
            // One byte of a valid request every 50 ms: never finishes within the test.
            let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\n".utf8)
            var i = 0
            while sending.load(ordering: .relaxed) {
                slow.send([request[i % request.count]])
                i += 1
                usleep(50_000)
            }
        }
        slowSender.start()
        try await Task.sleep(for: .milliseconds(100))  // the server has accepted all six

        let started = ContinuousClock.now
        let reply = try get(server.port, "/metrics")
        let elapsed = ContinuousClock.now - started
        print("scrape with 5 idle connections and a slow sender open: \(elapsed)")
        #expect(reply?.statusLine == "HTTP/1.1 200 OK")
        #expect(reply?.body == "m 1\n")
        // Served one at a time, the scrape would wait for the idle clients' 30 s header deadline:
        // every one of them is still connected and unanswered now.
        for client in idle {
            var byte: UInt8 = 0
            #expect(recv(client.fd, &byte, 1, Int32(MSG_DONTWAIT)) == -1 && errno == EAGAIN)
        }
        sending.store(false, ordering: .relaxed)
    }

    @Test("headers that arrive too slowly end at the header deadline; other clients are served meanwhile")
    func headerTimeLimit() throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", requestTimeout: .milliseconds(300),
                                           metrics: { "m 1\n" }, health: { true })
        defer { server.shutdown() }
        let slow = try TCPClient(port: server.port)
        slow.send("GET /metrics HTTP/1.1\r\n")  // and never the blank line
        #expect(try get(server.port, "/healthz")?.statusLine == "HTTP/1.1 200 OK")
        // The server gives up on the slow one: it closes without a response.
        #expect(slow.readAll().isEmpty)
    }

    @Test("bad listen addresses are typed errors naming the address")
    func badAddresses() throws {
        func failure(_ address: String) -> HTTPMetricsServerError? {
            do {
                let server = try HTTPMetricsServer(listen: address, metrics: { "" }, health: { true })
                server.shutdown()
                return nil
            } catch {
                return error
            }
        }
        for address in ["nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:http",
                        "::1:9464", "[::1:9464"] {
            guard case .invalidListenAddress(let named, _) = failure(address) else {
                Issue.record("\(address) should be invalid")
                continue
            }
            #expect(named == address)
        }
        // (No unresolvable-host case: resolving a made-up name could query a DNS server.)

        let first = try HTTPMetricsServer(listen: "127.0.0.1:0", metrics: { "" }, health: { true })
        defer { first.shutdown() }
        let taken = "127.0.0.1:\(first.port)"
        let error = failure(taken)
        #expect(error == .bindFailed(taken, errno: EADDRINUSE))
        #expect(error?.description.contains(taken) == true)
    }

    @Test("200 idle clients hold every connection slot: health probes still get their real answer, 200",
          .timeLimit(.minutes(10)))
    func probesUnderIdleClients() async throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", requestTimeout: .seconds(30),
                                           metrics: { "m 1\n" }, health: { true })
        defer { server.shutdown() }
        // Connected, sending nothing: each would hold its slot for the 30 s header deadline.
        let idle = try (0..<200).map { _ in try TCPClient(port: server.port, source: "127.0.0.2") }
        try await Task.sleep(for: .milliseconds(200))  // the server has accepted them
        var statuses: [String] = []
        for _ in 0..<20 {
            statuses.append(try get(server.port, "/healthz")?.statusLine ?? "no response")
        }
        let scrape = try get(server.port, "/metrics")
        print("probes with 200 idle clients: \(statuses.filter { $0 == "HTTP/1.1 200 OK" }.count) of \(statuses.count) answered 200")
        #expect(statuses.allSatisfy { $0 == "HTTP/1.1 200 OK" }, "\(statuses)")
        #expect(scrape?.statusLine == "HTTP/1.1 200 OK")
        #expect(idle.count == 200)
    }

    @Test("200 idle clients that reconnect as soon as they are closed: every probe still gets 200",
          .timeLimit(.minutes(10)))
    func probesUnderReconnectingIdleClients() async throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", requestTimeout: .seconds(30),
                                           metrics: { "m 1\n" }, health: { true })
        defer { server.shutdown() }
        let running = Atomic<Bool>(true)
        let reconnects = Atomic<Int>(0)
        let clients = (0..<200).map { _ in
            Thread {
                // Connect, send nothing, and connect again once the server closes the connection.
                while running.load(ordering: .relaxed) {
                    guard let client = try? TCPClient(port: server.port, source: "127.0.0.2") else { usleep(10_000); continue }
                    var byte: UInt8 = 0
                    while running.load(ordering: .relaxed) {
                        var ready = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
                        if poll(&ready, 1, 50) > 0 { break }
                    }
                    _ = recv(client.fd, &byte, 1, Int32(MSG_DONTWAIT))
                    reconnects.add(1, ordering: .relaxed)
                }
            }
        }
        clients.forEach { $0.start() }
        try await Task.sleep(for: .milliseconds(300))
        var statuses: [String] = []
        for _ in 0..<40 {
            statuses.append(try get(server.port, "/healthz")?.statusLine ?? "no response")
            try await Task.sleep(for: .milliseconds(10))
        }
        running.store(false, ordering: .relaxed)
        print("probes with 200 reconnecting idle clients: \(statuses.filter { $0 == "HTTP/1.1 200 OK" }.count) of \(statuses.count) answered 200; \(reconnects.load(ordering: .relaxed)) reconnects")
        #expect(statuses.allSatisfy { $0 == "HTTP/1.1 200 OK" }, "\(statuses)")
        try await Task.sleep(for: .milliseconds(200))  // the client threads notice and end
    }

    @Test("every connection slot busy answering: a probe gets 429 with Retry-After, never the unhealthy 503",
          .timeLimit(.minutes(10)))
    func busyIsNotUnhealthy() async throws {
        let release = DispatchSemaphore(value: 0)
        let released = Atomic<Bool>(false)
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", requestTimeout: .seconds(30),
                                           metrics: {
                                               // Scrapes stay in the middle of their answer until released.
                                               if !released.load(ordering: .relaxed) { _ = release.wait(timeout: .now() + 20) }
                                               return "m 1\n"
                                           }, health: { true })
        defer { server.shutdown() }
        let scrapes = try (0..<HTTPMetricsServer.maxConnections).map { _ in try TCPClient(port: server.port) }
        for scrape in scrapes { scrape.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") }
        try await Task.sleep(for: .milliseconds(300))  // every scrape is being answered
        let probe = try #require(try get(server.port, "/healthz"))
        released.store(true, ordering: .relaxed)
        for _ in scrapes { release.signal() }
        #expect(probe.statusLine == "HTTP/1.1 429 Too Many Requests")
        #expect(probe.headers["retry-after"] == "1")
        for scrape in scrapes {
            #expect(HTTPResponse(scrape.readAll())?.statusLine == "HTTP/1.1 200 OK")
        }
    }

    @Test("shutdown stops serving and frees the port, even with an idle client connected")
    func shutdown() async throws {
        let server = try HTTPMetricsServer(listen: "127.0.0.1:0", requestTimeout: .seconds(60),
                                           metrics: { "" }, health: { true })
        let port = server.port
        #expect(try get(port, "/healthz")?.statusLine == "HTTP/1.1 200 OK")
        let idle = try TCPClient(port: port)
        idle.send("GET /hea")
        try await Task.sleep(for: .milliseconds(50))  // let the server pick the connection up
        server.shutdown()  // must not wait for the idle client's 60 s deadline
        server.shutdown()  // idempotent
        #expect(throws: POSIXError.self) { try TCPClient(port: port) }
        let again = try HTTPMetricsServer(listen: "127.0.0.1:\(port)", metrics: { "" }, health: { true })
        again.shutdown()
    }
}

private final class Flag: Sendable {
    let value = Atomic<Bool>(true)
}
