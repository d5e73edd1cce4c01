import ServiceLifecycle

/// The `/metrics` and `/healthz` endpoint as a service: the server was bound
/// at setup (a bad address is an exit 73 before anything is generated); this
/// keeps it serving until the group shuts it down, last, so that scrapes and
/// probes see the whole stop, flush included.
struct MetricsHTTPService: Service {
    let server: HTTPMetricsServer

    func run() async {
        try? await gracefulShutdown()
        // Joins the server's threads (bounded: the wake pipe ends every connection at once).
        await onDedicatedThread(name: "metrics-http-shutdown") { server.shutdown() }
    }
}
