/// Pending replay events ordered by time, then by when they were pushed (so
/// a session's events keep their order at equal times).
struct ReplayHeap: Sendable {
    struct Entry: Sendable {
        var time: VirtualNanoseconds
        var order: UInt64
        var item: ReplayEvent
    }

    var entries: ContiguousArray<Entry> = []
    var pushed: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var firstTime: VirtualNanoseconds? { entries.first?.time }

    static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.time != b.time ? a.time < b.time : a.order < b.order
    }

    mutating func push(_ item: ReplayEvent) {
        entries.append(Entry(time: item.event.time, order: pushed, item: item))
        pushed += 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> ReplayEvent? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { break }
            var child = left
            if left + 1 < entries.count, Self.before(entries[left + 1], entries[left]) { child = left + 1 }
            guard Self.before(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            parent = child
        }
        return top.item
    }
}
