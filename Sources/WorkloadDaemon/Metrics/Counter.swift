import Synchronization

/// A monotonically increasing count, cheap enough to bump per generated event: one
/// relaxed atomic add, no lookup, no formatting. Get it once from the registry (or a
/// family, for one label set) and keep the handle.
public final class Counter: Sendable {
    private let count = Atomic<UInt64>(0)

    init() {}

    @inline(__always)
    public func increment() {
        count.wrappingAdd(1, ordering: .relaxed)
    }

    @inline(__always)
    public func increment(by amount: UInt64) {
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    public var value: UInt64 {
        count.load(ordering: .relaxed)
    }
}
