/// The shared prefix items of one request, in prompt order, kept inline (no
/// allocation per event): each is `pool << 32 | item index`.
public struct PrefixItems: Sendable, Equatable {
    public private(set) var count: Int32 = 0
    var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0

    public static let none = PrefixItems()

    public init() {}

    mutating func append(pool: Int, item: Int) {
        let packed = UInt64(pool) << 32 | UInt64(item)
        switch count {
        case 0: a = packed
        case 1: b = packed
        case 2: c = packed
        default: d = packed
        }
        count += 1
    }

    /// Item `index` as (pool, item index).
    public subscript(index: Int) -> (pool: Int, item: Int) {
        let packed: UInt64
        switch index {
        case 0: packed = a
        case 1: packed = b
        case 2: packed = c
        default: packed = d
        }
        return (Int(packed >> 32), Int(packed & 0xFFFF_FFFF))
    }

    func packed(_ index: Int) -> UInt64 {
        let (pool, item) = self[index]
        return UInt64(pool) << 32 | UInt64(item)
    }
}
