/// A binary min-heap of comparable values (the feedback's held completions,
/// deadlines and unanswered arrivals; the consumer's waiting events).
package struct MinHeap<Element: Comparable> {
    package private(set) var storage: ContiguousArray<Element> = []

    package init() {}

    package var isEmpty: Bool { storage.isEmpty }
    package var count: Int { storage.count }
    package var first: Element? { storage.first }

    package mutating func insert(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child] < storage[parent] else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest element; the heap must not be empty.
    @discardableResult
    package mutating func removeFirst() -> Element {
        let top = storage[0]
        let last = storage.removeLast()
        guard !storage.isEmpty else { return top }
        storage[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < storage.count else { break }
            let right = left + 1
            let smaller = right < storage.count && storage[right] < storage[left] ? right : left
            guard storage[smaller] < storage[parent] else { break }
            storage.swapAt(smaller, parent)
            parent = smaller
        }
        return top
    }

    package mutating func removeAll() { storage.removeAll() }
}

extension MinHeap: Sendable where Element: Sendable {}
