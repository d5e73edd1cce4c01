import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka

extension DaemonIntegrationTests {
    @Suite("run → Kafka round trip")
    struct RoundTrip {
        @Test("a bounded max-speed run of the example delivers exactly generate's lines, placed, ordered and watermarked")
        func roundTrip() async throws {
            let fixture = try DaemonKafkaFixture()
            let configuration = fixture.configure(try exampleConfiguration(duration: 60))
            let expected = try generatedLines(configuration)
            #expect(expected.count > 500, "the example gives ~20 events per virtual second")
            var runConfiguration = configuration
            runConfiguration.clock.mode = .accelerated
            runConfiguration.clock.speed = nil  // max

            let started = Date()
            let (status, records, took) = try await onThread { [runConfiguration] in
                let run = DaemonRun(configuration: runConfiguration, options: RunOptions())
                let status = run.waitForStatus(timeout: 60)
                return (status, try fixture.consume(expecting: expected), run.duration)
            }
            print("round trip: \(expected.count) events, \(records.count) records, run took \(took.map { "\($0)" } ?? "?")")
            #expect(status == 0)
            let facts = try checkKafkaStream(records, expectedLines: expected, runID: configuration.runID,
                                             topics: fixture.topics, partitions: fixture.partitions,
                                             producedDuring: started...Date())
            #expect(facts.dataRecords == expected.count)
            #expect(facts.watermarkRecords >= 7, "at least one round of watermarks on all 7 partitions")
            #expect(facts.sessions > 100)
        }
    }
}
