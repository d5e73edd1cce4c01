import Synchronization

/// Which tagged records the cluster has acknowledged, in the order they were
/// produced: the answer to "is every event up to seq S acknowledged?", which a
/// checkpoint needs before it may say S is safe.
///
/// Delivery reports arrive in order within a partition but not across
/// partitions, so a count of acknowledgements alone cannot say it. Each tagged
/// record gets a ticket (its position in produce order) carried to its delivery
/// report as the message opaque; `acknowledgedThrough` is the seq of the last
/// record of the longest prefix, in produce order, whose records were all
/// acknowledged. A record that failed (synchronously, or in its delivery report,
/// purged at shutdown included) stops the prefix for good: nothing after it is
/// ever claimed safe. Records produced untagged (watermarks) are not tracked.
public final class AcknowledgementTracker: Sendable {
    private struct State {
        /// seq by ticket, in a ring of `capacity` slots; tickets `head..<tail` are outstanding.
        var seqs = [UInt64](repeating: 0, count: 1024)
        /// 0 waiting, 1 acknowledged, 2 failed; by ticket, in the same ring.
        var outcomes = [UInt8](repeating: 0, count: 1024)
        var head: UInt64 = 0
        var tail: UInt64 = 0
        var acknowledgedThrough: UInt64?
        var acknowledged = 0
        var broken = false

        var capacity: UInt64 { UInt64(seqs.count) }

        mutating func grow() {
            let count = seqs.count * 2
            var newSeqs = [UInt64](repeating: 0, count: count)
            var newOutcomes = [UInt8](repeating: 0, count: count)
            for ticket in head..<tail {
                newSeqs[Int(ticket % UInt64(count))] = seqs[Int(ticket % capacity)]
                newOutcomes[Int(ticket % UInt64(count))] = outcomes[Int(ticket % capacity)]
            }
            seqs = newSeqs
            outcomes = newOutcomes
        }

        /// Moves the head over every finished ticket at the front.
        mutating func advance() {
            while head < tail && !broken {
                let slot = Int(head % capacity)
                switch outcomes[slot] {
                case 1: acknowledgedThrough = seqs[slot]
                case 2: broken = true; return
                default: return
                }
                head += 1
            }
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// A ticket for a record carrying event `seq`, to pass with the produce; tickets
    /// must be taken in the order the records are produced.
    public func ticket(seq: UInt64) -> UInt64 {
        state.withLock { state in
            if state.tail - state.head == state.capacity { state.grow() }
            let ticket = state.tail
            let slot = Int(ticket % state.capacity)
            state.seqs[slot] = seq
            state.outcomes[slot] = 0
            state.tail += 1
            return ticket
        }
    }

    /// The record of `ticket` was delivered (`acknowledged`) or failed for good.
    public func finished(ticket: UInt64, acknowledged: Bool) {
        state.withLock { state in
            guard ticket >= state.head && ticket < state.tail else { return }  // not ours, or already counted
            let slot = Int(ticket % state.capacity)
            guard state.outcomes[slot] == 0 else { return }
            state.outcomes[slot] = acknowledged ? 1 : 2
            if acknowledged { state.acknowledged += 1 }
            if ticket == state.head { state.advance() }
        }
    }

    /// The seq of the last record of the longest acknowledged prefix (nil before the
    /// first record is acknowledged). Monotonic.
    public var acknowledgedThrough: UInt64? { state.withLock { $0.acknowledgedThrough } }

    /// Tagged records acknowledged so far, in any order. Monotonic.
    public var acknowledgedCount: Int { state.withLock { $0.acknowledged } }

    /// Tagged records produced and not yet finished (or behind a failure).
    public var pending: Int { state.withLock { Int($0.tail - $0.head) } }
}
