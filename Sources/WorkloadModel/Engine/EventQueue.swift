/// What a scheduled entry does when its time comes.
enum ScheduledAction: UInt8, Sendable {
    /// A new session arrives (payload: arrival stream index).
    case arrival
    /// A session sends its next turn (payload: session slot).
    case send
    /// A request reaches the service (payload: in-flight slot).
    case delivery
    /// A request's modeled response completes (payload: pending-completion slot).
    case completion
    /// An agent's subagent starts: its session begins and sends its first call (payload: its session slot).
    case spawn
}

/// One entry of the event queue: ordered by time, then by insertion order, so
/// that simultaneous entries fire in a deterministic order.
struct ScheduledEntry: Sendable {
    var time: VirtualNanoseconds
    var order: UInt64
    var action: ScheduledAction
    var payload: Int32

    init(time: VirtualNanoseconds, order: UInt64, action: ScheduledAction, payload: Int32) {
        self.time = time
        self.order = order
        self.action = action
        self.payload = payload
    }

    func precedes(_ other: ScheduledEntry) -> Bool {
        time < other.time || (time == other.time && order < other.order)
    }
}

/// The discrete-event scheduler: one binary min-heap of entries and nothing
/// else (the SimPy shape).
struct EventQueue: Sendable {
    var heap: ContiguousArray<ScheduledEntry> = []
    var nextOrder: UInt64 = 0

    init() {}

    var isEmpty: Bool { heap.isEmpty }

    var count: Int { heap.count }

    var first: ScheduledEntry? { heap.first }

    mutating func schedule(_ action: ScheduledAction, at time: VirtualNanoseconds, payload: Int32) {
        let entry = ScheduledEntry(time: time, order: nextOrder, action: action, payload: payload)
        nextOrder &+= 1
        heap.append(entry)
        siftUp(heap.count - 1)
    }

    mutating func popFirst() -> ScheduledEntry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return top
    }

    // Both sifts work on the heap's buffer: one uniqueness check per sift instead of one per
    // store, and no bounds checks (every index is below `count`).
    mutating func siftUp(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { heap in
            var child = start
            let entry = heap[child]
            while child > 0 {
                let parent = (child &- 1) >> 1
                let parentEntry = heap[parent]
                guard entry.precedes(parentEntry) else { break }
                heap[child] = parentEntry
                child = parent
            }
            heap[child] = entry
        }
    }

    /// Floyd's bottom-up sift: the hole goes down the path of earlier children to a leaf, then
    /// the entry climbs back to its place. Keys are unique (time, then order), so this leaves
    /// the same layout as sifting down with two comparisons a level (checkpoints hold the heap
    /// as laid out), at one comparison a level: the entry taken from the end mostly belongs near the bottom.
    mutating func siftDown(_ start: Int) {
        heap.withUnsafeMutableBufferPointer { heap in
            let count = heap.count
            let entry = heap[start]
            var hole = start
            while true {
                var child = 2 &* hole &+ 1
                guard child < count else { break }
                if child &+ 1 < count, heap[child &+ 1].precedes(heap[child]) { child &+= 1 }
                heap[hole] = heap[child]
                hole = child
            }
            while hole > start {
                let parent = (hole &- 1) >> 1
                guard entry.precedes(heap[parent]) else { break }
                heap[hole] = heap[parent]
                hole = parent
            }
            heap[hole] = entry
        }
    }
}
