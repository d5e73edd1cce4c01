import Testing
import WorkloadKafka

@Suite("AcknowledgementTracker")
struct AcknowledgementTrackerTests {
    @Test("the prefix advances only over acknowledged records, in produce order")
    func outOfOrder() {
        let tracker = AcknowledgementTracker()
        let tickets = [10, 11, 13, 20].map { tracker.ticket(seq: UInt64($0)) }
        #expect(tracker.acknowledgedThrough == nil)
        tracker.finished(ticket: tickets[2], acknowledged: true)
        tracker.finished(ticket: tickets[1], acknowledged: true)
        #expect(tracker.acknowledgedThrough == nil, "seq 10 is still out")
        #expect(tracker.acknowledgedCount == 2)
        tracker.finished(ticket: tickets[0], acknowledged: true)
        #expect(tracker.acknowledgedThrough == 13)
        // A report counted twice, or a ticket never issued, changes nothing.
        tracker.finished(ticket: tickets[0], acknowledged: true)
        tracker.finished(ticket: 99, acknowledged: true)
        #expect(tracker.acknowledgedCount == 3)
        tracker.finished(ticket: tickets[3], acknowledged: true)
        #expect(tracker.acknowledgedThrough == 20)
        #expect(tracker.pending == 0)
    }

    @Test("a failed record stops the prefix for good")
    func failureStops() {
        let tracker = AcknowledgementTracker()
        let tickets = (1...4).map { tracker.ticket(seq: UInt64($0)) }
        tracker.finished(ticket: tickets[0], acknowledged: true)
        tracker.finished(ticket: tickets[1], acknowledged: false)
        tracker.finished(ticket: tickets[2], acknowledged: true)
        tracker.finished(ticket: tickets[3], acknowledged: true)
        #expect(tracker.acknowledgedThrough == 1)
        #expect(tracker.acknowledgedCount == 3)
        let later = tracker.ticket(seq: 5)
        tracker.finished(ticket: later, acknowledged: true)
        #expect(tracker.acknowledgedThrough == 1)
    }

    @Test("more outstanding records than the first ring holds, finished in reverse")
    func growth() {
        let tracker = AcknowledgementTracker()
        let count = 5_000
        let tickets = (0..<count).map { tracker.ticket(seq: UInt64($0 * 2)) }
        for ticket in tickets.dropFirst().reversed() { tracker.finished(ticket: ticket, acknowledged: true) }
        #expect(tracker.acknowledgedThrough == nil)
        #expect(tracker.pending == count)
        tracker.finished(ticket: tickets[0], acknowledged: true)
        #expect(tracker.acknowledgedThrough == UInt64((count - 1) * 2))
        #expect(tracker.pending == 0)
        // The ring is reused after wrapping.
        for round in 0..<3 {
            let batch = (0..<1_500).map { tracker.ticket(seq: UInt64(100_000 * (round + 1) + $0)) }
            for ticket in batch.shuffled() { tracker.finished(ticket: ticket, acknowledged: true) }
            #expect(tracker.acknowledgedThrough == UInt64(100_000 * (round + 1) + 1_499))
        }
    }
}
