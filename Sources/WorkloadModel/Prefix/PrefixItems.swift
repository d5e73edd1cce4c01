/// The shared prefix items of one request, in prompt order, kept inline (no
/// allocation per event) in 16 bytes: each used slot is
/// `pool << 20 | (item index + 1)`, an empty slot is 0, and slots fill in
/// order (so the count is the number of non-zero slots). Small enough that a
/// request event stays within the size the compiler copies inline.
package struct PrefixItems: Sendable, Equatable {
    var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0

    /// Bits of a slot that hold the item index (plus one): room for
    /// `PrefixPool.maximumItems`, and 12 bits for `PrefixPool.maximumPools`.
    static let itemBits: UInt32 = 20
    static let poolLimit = 1 << (32 - Int(itemBits))
    static let itemLimit = (1 << Int(itemBits)) - 1

    package static let none = PrefixItems()

    package init() {}

    package var count: Int32 {
        a == 0 ? 0 : b == 0 ? 1 : c == 0 ? 2 : d == 0 ? 3 : 4
    }

    mutating func append(pool: Int, item: Int) {
        precondition(pool >= 0 && pool < Self.poolLimit && item >= 0 && item < Self.itemLimit && d == 0,
                     "prefix item (\(pool), \(item)) out of range")
        let slot = UInt32(pool) << Self.itemBits | UInt32(item + 1)
        if a == 0 { a = slot } else if b == 0 { b = slot } else if c == 0 { c = slot } else { d = slot }
    }

    /// Item `index` as (pool, item index).
    package subscript(index: Int) -> (pool: Int, item: Int) {
        let slot: UInt32
        switch index {
        case 0: slot = a
        case 1: slot = b
        case 2: slot = c
        default: slot = d
        }
        return (Int(slot >> Self.itemBits), Int(slot & (1 << Self.itemBits - 1)) - 1)
    }

    /// Item `index` as `pool << 32 | item index` (what block IDs hash).
    func packed(_ index: Int) -> UInt64 {
        let (pool, item) = self[index]
        return UInt64(pool) << 32 | UInt64(item)
    }
}
