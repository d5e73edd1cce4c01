import TestSupport
import Foundation
import Testing
import WorkloadDaemon
import WorkloadKafka

extension DaemonIntegrationTests {
    @Suite("run when Kafka rejects records for good", .quietMachine)
    struct Rejections {
        @Test("Produce answered TOPIC_AUTHORIZATION_FAILED mid-run: the run ends by itself, exit 69, every event accounted")
        func topicAuthorizationFailed() async throws {
            let fixture = try DaemonKafkaFixture()
            let (result, expected, _) = try await runUnderFaults(
                fixture, duration: 120, speed: 40, flushTimeout: 3, consume: false
            ) { cluster in
                pause(0.5)
                let produceAPI: Int16 = 0
                cluster.pushRequestErrors(apiKey: produceAPI, errors: Array(repeating: 29, count: 20))
                return ["rejected": Date()]
            }
            // Ended by the failure (well before the 3 s of wall time the run would take), not by a stop.
            #expect(result.status == Daemon.Status.unavailable, "\(result.announcements)")
            let (summary, numbers) = publishedSummary(result.announcements)
            print("topic authorization failed: \(summary); run took \(result.duration.map { "\($0)" } ?? "?")")
            #expect(numbers.count >= 4, "\(summary)")
            if numbers.count >= 4 {
                #expect(numbers[0] < expected.count, "generation stopped early")
                #expect(numbers[2] > 0, "the rejected records are counted as failed")
                // Every event handed to the sink has a final outcome: delivered, failed or undelivered
                // (records include the watermarks, so at least as many as the events).
                #expect(numbers[1] + numbers[2] + numbers[3] >= numbers[0], "\(summary)")
            }
        }
    }
}
