import Testing
@testable import WorkloadModel

/// The queue's heap layout is what checkpoints save, so a faster sift must leave entries where
/// the textbook binary heap leaves them, and pop them in (time, order) order.
@Suite struct EventQueueTests {
    /// The textbook binary min-heap (two comparisons a level on the way down), as reference.
    struct ReferenceHeap {
        var heap: [ScheduledEntry] = []

        mutating func push(_ entry: ScheduledEntry) {
            heap.append(entry)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard entry.precedes(heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> ScheduledEntry? {
            guard !heap.isEmpty else { return nil }
            heap.swapAt(0, heap.count - 1)
            let top = heap.removeLast()
            var parent = 0
            while true {
                var child = 2 * parent + 1
                guard child < heap.count else { break }
                if child + 1 < heap.count, heap[child + 1].precedes(heap[child]) { child += 1 }
                guard heap[child].precedes(heap[parent]) else { break }
                heap.swapAt(parent, child)
                parent = child
            }
            return top
        }
    }

    @Test func layoutAndOrderMatchTheTextbookHeap() {
        var rng = Xoshiro256(seed: 7)
        var queue = EventQueue()
        var reference = ReferenceHeap()
        var order: UInt64 = 0
        var lastPopped: (VirtualNanoseconds, UInt64)?
        var pops = 0
        for _ in 0..<6_000 {
            // Mostly pushes early, mostly pops later; few distinct times, so many ties on time.
            if rng.nextBelow(100) < (queue.count < 200 ? 60 : 45) {
                let time = VirtualNanoseconds(rng.nextBelow(64))
                queue.schedule(.send, at: time, payload: Int32(order & 0xFFFF))
                reference.push(ScheduledEntry(time: time, order: order, action: .send, payload: Int32(order & 0xFFFF)))
                order += 1
            } else {
                let popped = queue.popFirst()
                let expected = reference.pop()
                #expect(popped?.time == expected?.time && popped?.order == expected?.order)
                if let popped {
                    pops += 1
                    if let (time, order) = lastPopped, time == popped.time { #expect(order < popped.order) }
                    lastPopped = (popped.time, popped.order)
                }
            }
            #expect(queue.heap.map(\.order) == reference.heap.map(\.order))
            if queue.heap.map(\.order) != reference.heap.map(\.order) { return }
        }
        #expect(pops > 1_500)
    }
}
