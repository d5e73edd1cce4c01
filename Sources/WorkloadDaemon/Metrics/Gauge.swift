import Synchronization

/// A value that goes up and down (queue depth, open sessions, virtual time). Stored as
/// the bit pattern of a `Double` in one atomic word, so `set` is a single store.
public final class Gauge: Sendable {
    private let bits = Atomic<UInt64>(0)  // 0 is the bit pattern of +0.0

    init() {}

    @inline(__always)
    public func set(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    @inline(__always)
    public func set(_ value: Int) {
        set(Double(value))
    }

    /// Adds `delta` atomically (a compare-and-exchange loop).
    public func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.compareExchange(
                expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    public func increment() { add(1) }
    public func decrement() { add(-1) }

    public var value: Double {
        Double(bitPattern: bits.load(ordering: .relaxed))
    }
}
