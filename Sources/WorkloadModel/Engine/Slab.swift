/// Fixed-slot storage with a free list: values live in one array, are named by
/// their slot index, and freed slots are reused, so memory stays flat however
/// long the run is.
struct Slab<Element: Sendable>: Sendable {
    var storage: ContiguousArray<Element?> = []
    var free: ContiguousArray<Int32> = []
    var liveCount = 0

    init() {}

    @inline(__always)
    mutating func insert(_ element: Element) -> Int32 {
        liveCount += 1
        if let slot = free.popLast() {
            storage[Int(slot)] = element
            return slot
        }
        storage.append(element)
        return Int32(storage.count - 1)
    }

    @inline(__always)
    mutating func remove(_ slot: Int32) -> Element {
        let element = storage[Int(slot)]!
        storage[Int(slot)] = nil
        free.append(slot)
        liveCount -= 1
        return element
    }

    subscript(slot: Int32) -> Element {
        get { storage[Int(slot)]! }
        _modify {
            yield &storage[Int(slot)]!
        }
    }

    /// Live slots in slot order.
    var liveSlots: [Int32] {
        storage.indices.compactMap { storage[$0] == nil ? nil : Int32($0) }
    }
}
