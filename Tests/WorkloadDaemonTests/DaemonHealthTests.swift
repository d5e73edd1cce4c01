import TestSupport
import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka

/// The value of `name` summed over every label set in a scrape.
private func total(_ name: String, in body: String) -> Double {
    ((try? Exposition(parsing: body))?.samples ?? []).filter { $0.name == name }.reduce(0) { $0 + $1.value }
}

/// Polls `/healthz` (and `/metrics`) until it answers `status`; returns the seconds it
/// took and the health gauge at that moment, or nil after `timeout` seconds.
private func waitForHealth(_ status: Int, port: UInt16, timeout: Double) -> (seconds: Double, healthy: Double?)? {
    let start = Date()
    while Date().timeIntervalSince(start) < timeout {
        if let (answer, _) = try? httpGet(port: port, path: "/healthz"), answer == status {
            let seconds = Date().timeIntervalSince(start)
            let metrics = (try? httpGet(port: port, path: "/metrics"))?.body ?? ""
            return (seconds, (try? Exposition(parsing: metrics))?.value("llm_workload_healthy"))
        }
        pause(0.02)
    }
    return nil
}

/// The problems `/metrics` flags (`llm_workload_health_problem` at 1), or why it could not be read.
private func healthProblems(port: UInt16) -> [String] {
    guard let body = try? httpGet(port: port, path: "/metrics").body, let exposition = try? Exposition(parsing: body) else {
        return ["/metrics unreadable"]
    }
    let flagged = exposition.samples.filter { $0.name == "llm_workload_health_problem" && $0.value == 1 }
    return ["health problems: \(flagged.compactMap { $0.labels["problem"] })"]
}

extension DaemonIntegrationTests {
    @Suite("live metrics and health", .quietMachine)
    struct LiveHealth {
        @Test("a scrape mid-run: events_published_total > 0 by topic, and acknowledged + queued accounts for generated")
        func publishedIsLive() async throws {
            let fixture = try DaemonKafkaFixture()
            var configuration = fixture.configure(try exampleConfiguration(duration: 300))
            configuration.clock.mode = .accelerated
            configuration.clock.speed = 20
            let runConfiguration = configuration
            let figures = try await onThread { () -> [String: Double] in
                let run = DaemonRun(configuration: runConfiguration, options: RunOptions())
                defer { run.stop.set(); _ = run.waitForStatus(timeout: 60) }
                guard let port = run.waitForMetricsPort() else { return [:] }
                pause(1.5)
                let body = try httpGet(port: port, path: "/metrics").body
                let exposition = try Exposition(parsing: body)
                return [
                    "published": total("llm_workload_events_published_total", in: body),
                    "requests": exposition.value("llm_workload_events_published_total", ["topic": "llm.requests"]) ?? -1,
                    "sessions": exposition.value("llm_workload_events_published_total", ["topic": "llm.sessions"]) ?? -1,
                    "generated": total("llm_workload_events_generated_total", in: body),
                    "watermarks": total("llm_workload_watermark_records_total", in: body),
                    "queued": total("llm_workload_producer_queue_depth", in: body),
                    "rate": Double(runConfiguration.workload.figures.requestRate * 20),
                ]
            }
            print("mid-run scrape: \(figures.sorted { $0.key < $1.key })")
            let published = figures["published"] ?? 0, generated = figures["generated"] ?? 0
            let watermarks = figures["watermarks"] ?? 0, queued = figures["queued"] ?? 0
            #expect(published > 0)
            #expect((figures["requests"] ?? 0) > 0 && (figures["sessions"] ?? 0) > 0, "both topics count")
            // Never more acknowledged than handed over.
            #expect(published <= generated + watermarks)
            // Acknowledged + still queued = handed over, up to what the loop generated since its
            // last housekeeping (at most 100 ms of wall time: 0.1 s x the run's event rate, which
            // is below 3 x its request rate on the example; 2x that as the bound).
            let lag = 2 * 0.1 * 3 * (figures["rate"] ?? 0) + 16
            #expect(published + queued + lag >= generated + watermarks, "\(figures)")
        }

        @Test("all brokers down: /healthz 503 after broker_timeout_s, 200 once they return; llm_workload_healthy follows")
        func brokersDownAndBack() async throws {
            let fixture = try DaemonKafkaFixture(replicationFactor: 3)
            var configuration = fixture.configure(try exampleConfiguration(duration: 600))
            configuration.clock.mode = .accelerated
            configuration.clock.speed = 10
            configuration.metrics.health.brokerTimeoutSeconds = 1
            let runConfiguration = configuration
            let (down, up, status, evidence) = try await onThread {
                () -> ((Double, Double?)?, (Double, Double?)?, Int32?, [String]) in
                let run = DaemonRun(configuration: runConfiguration, options: RunOptions())
                guard let port = run.waitForMetricsPort() else { return (nil, nil, run.waitForStatus(timeout: 30), run.announcements) }
                #expect(waitForHealth(200, port: port, timeout: 5) != nil)
                pause(0.3)
                for broker in 1...fixture.cluster.brokerCount { try fixture.cluster.setBrokerDown(broker) }
                let down = waitForHealth(503, port: port, timeout: 15)
                for broker in 1...fixture.cluster.brokerCount { try fixture.cluster.setBrokerUp(broker) }
                let up = waitForHealth(200, port: port, timeout: 15)
                // Should it fail: which problem the daemon still reported, and its summary line.
                let problems = up == nil ? healthProblems(port: port) : []
                run.stop.set()
                let status = run.waitForStatus(timeout: 60)
                return (down, up, status, problems + run.announcements.filter { $0.hasPrefix("published ") })
            }
            print("all brokers down: 503 after \(down.map { "\($0.0)" } ?? "never") s (broker_timeout_s 1); "
                  + "back up: 200 after \(up.map { "\($0.0)" } ?? "never") s")
            #expect(down != nil, "503 while no broker answers")
            #expect(down?.1 == 0, "llm_workload_healthy is 0 while unhealthy")
            #expect(up != nil, "200 again once they return: \(evidence)")
            #expect(up?.1 == 1, "llm_workload_healthy is 1 again")
            #expect(status == 0, "everything queued in the outage was delivered after it: \(evidence)")
        }
    }
}
