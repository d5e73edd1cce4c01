#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `metrics.listen` and `--metrics-listen`: parsed by the same rules the
/// metrics server binds with, and the host resolved, so a bad address is a
/// configuration error rather than a failure after start-up. (Whether the
/// port is free is only known when binding: that stays exit 73.)
package enum ListenAddress {
    /// Why `address` cannot be listened on, or nil when it can (empty disables the endpoint).
    package static func problem(_ address: String) -> String? {
        guard !address.isEmpty else { return nil }
        let host: String?
        let port: UInt16
        do {
            (host, port) = try HTTPMetricsServer.parse(address)
        } catch {
            if case .invalidListenAddress(_, let reason) = error { return "\(reason) (got \"\(address)\")" }
            return "\(error)"
        }
        let (status, results) = resolve(host: host, port: port)
        if let results { freeaddrinfo(results) }
        guard status == 0 else { return "cannot resolve host: \(String(cString: gai_strerror(status))) (got \"\(address)\")" }
        return nil
    }

    /// getaddrinfo for a listening TCP socket (the server binds the results):
    /// the status, and the list the caller frees with freeaddrinfo.
    static func resolve(host: String?, port: UInt16) -> (status: Int32, results: UnsafeMutablePointer<addrinfo>?) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        return (status, results)
    }
}
