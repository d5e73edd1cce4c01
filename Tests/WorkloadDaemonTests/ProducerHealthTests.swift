import Testing
@testable import WorkloadDaemon

/// The health rules on an injected clock: no sleeping, every transition exact.
@Suite("ProducerHealth")
struct ProducerHealthTests {
    func make(timeout: Double = 5, saturation: Double = 0.5, capacity: Int = 1_000) -> (ProducerHealth, ManualClock) {
        var configuration = HealthConfiguration()
        configuration.brokerTimeoutSeconds = timeout
        configuration.queueSaturation = saturation
        let clock = ManualClock(now: 1_000_000_000)
        return (ProducerHealth(configuration: configuration, queueCapacity: capacity, clock: clock), clock)
    }

    @Test("records waiting with no acknowledgement: unhealthy only after the timeout, healthy at the next acknowledgement")
    func brokersUnreachable() {
        let (health, clock) = make(timeout: 5)
        #expect(health.observe(.init(outstanding: 10, delivered: 100, failed: false)).isHealthy)
        clock.advance(by: 5_000_000_000)  // exactly the timeout: not yet
        #expect(health.observe(.init(outstanding: 50, delivered: 100, failed: false)).isHealthy)
        clock.advance(by: 1)
        let down = health.observe(.init(outstanding: 50, delivered: 100, failed: false))
        #expect(down.brokersUnreachable && !down.isHealthy)
        clock.advance(by: 60_000_000_000)
        #expect(!health.observe(.init(outstanding: 50, delivered: 100, failed: false)).isHealthy)
        #expect(health.observe(.init(outstanding: 40, delivered: 110, failed: false)).isHealthy, "an acknowledgement")
    }

    @Test("nothing waiting is progress: an idle producer stays healthy however long no record is acknowledged")
    func idleIsHealthy() {
        let (health, clock) = make(timeout: 1)
        for _ in 0..<10 {
            clock.advance(by: 900_000_000)
            #expect(health.observe(.init(outstanding: 0, delivered: 7, failed: false)).isHealthy)
        }
        clock.advance(by: 1_000_000_001)
        #expect(!health.observe(.init(outstanding: 1, delivered: 7, failed: false)).isHealthy)
    }

    @Test("queue above the configured share: unhealthy while it lasts")
    func saturation() {
        let (health, _) = make(saturation: 0.5, capacity: 1_000)
        #expect(health.observe(.init(outstanding: 500, delivered: 1, failed: false)).isHealthy)
        let full = health.observe(.init(outstanding: 501, delivered: 2, failed: false))
        #expect(full.queueSaturated && !full.isHealthy)
        #expect(health.observe(.init(outstanding: 20, delivered: 3, failed: false)).isHealthy)
    }

    @Test("a fatal or permanent failure stays unhealthy")
    func failedIsSticky() {
        let (health, _) = make()
        #expect(!health.observe(.init(outstanding: 0, delivered: 1, failed: true)).isHealthy)
        #expect(!health.observe(.init(outstanding: 0, delivered: 2, failed: false)).isHealthy)
        #expect(health.state.failed)
    }
}
