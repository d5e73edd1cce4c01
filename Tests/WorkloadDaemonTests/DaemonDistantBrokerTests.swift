import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka

extension DaemonIntegrationTests {
    @Suite("run against a broker far away", .timeLimit(.minutes(10)))
    struct DistantBroker {
        @Test("120 ms and 500 ms round trips: run connects and delivers exactly generate's lines", arguments: [120, 500])
        func distantBroker(roundTripMs: Int32) async throws {
            let fixture = try DaemonKafkaFixture()
            for broker in 1...fixture.cluster.brokerCount {
                try fixture.cluster.setRTT(broker: broker, ms: roundTripMs)
            }
            var configuration = fixture.configure(try exampleConfiguration(duration: 10))
            configuration.clock.mode = .accelerated
            configuration.clock.speed = nil  // max
            let expected = try generatedLines(configuration)
            let runConfiguration = configuration

            let (status, announcements, records, took) = try await onThread {
                let run = DaemonRun(configuration: runConfiguration, options: RunOptions())
                let status = run.waitForStatus(timeout: 120)
                // The reader needs no delay: it is not what is tested.
                for broker in 1...fixture.cluster.brokerCount { try fixture.cluster.setRTT(broker: broker, ms: 0) }
                return (status, run.announcements, try fixture.consume(expecting: expected), run.duration)
            }
            print("broker \(roundTripMs) ms away: status \(status.map { "\($0)" } ?? "none"), \(records.count) records, run took \(took.map { "\($0)" } ?? "?")")
            #expect(status == 0, "\(announcements)")
            let data = records.filter { $0.header("event-type") != Array("watermark".utf8) }
            #expect(data.count == expected.count)
        }
    }
}
