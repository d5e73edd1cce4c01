import Synchronization

/// The encoded `hash_ids` of each session's last request, so that the next
/// one whose prompt continues it copies the IDs of its complete blocks instead
/// of hashing and formatting them again: an agent's call holds all of its
/// predecessor's prompt, and a long session repeats dozens of IDs per call.
///
/// A list is reused only when it is provably the same: same own session, same
/// prefix items, shared prefix length, lineage turn and block size, and the
/// new prompt holds every block it kept complete. Those fix each such block's
/// ID (`BlockHashes`), so the bytes never depend on what the memory holds.
/// Direct-mapped and bounded; a later session in a slot replaces the earlier.
/// Not part of any output or checkpoint.
final class RecentHashIDs: Sendable {
    struct List {
        var session: UInt64 = 0
        var items = PrefixItems.none
        var sharedTokens: Int64 = 0
        var lineageTurn: Int32 = 0
        var blockTokens: Int64 = 0
        /// How many complete blocks `bytes` holds (0: nothing kept).
        var blocks = 0
        /// Their IDs, comma-joined, without a trailing comma.
        var bytes: [UInt8] = []

        /// The number of leading IDs of `e` that `bytes` holds, or 0.
        @inline(__always)
        func blocksKept(for e: RequestEvent, blockTokens: Int64) -> Int {
            guard blocks > 0, session == e.ownSessionID, blockTokens == self.blockTokens, items == e.prefixItems,
                  sharedTokens == e.sharedPrefixTokens, lineageTurn == e.lineageTurn,
                  Int64(blocks) * blockTokens <= e.promptTokens else { return 0 }
            return blocks
        }

        /// Appends `more`: the IDs (each after its comma) of the blocks that
        /// complete the same list up to `blocks`.
        mutating func extend(to blocks: Int, with more: UnsafeBufferPointer<UInt8>) {
            self.blocks = blocks
            bytes.append(contentsOf: more)
        }

        mutating func keep(_ e: RequestEvent, blockTokens: Int64, blocks: Int, bytes: UnsafeBufferPointer<UInt8>) {
            session = e.ownSessionID
            items = e.prefixItems
            sharedTokens = e.sharedPrefixTokens
            lineageTurn = e.lineageTurn
            self.blockTokens = blockTokens
            self.blocks = blocks
            self.bytes.removeAll(keepingCapacity: true)
            self.bytes.append(contentsOf: bytes)
        }
    }

    static let slotCount = 1024
    /// Filled at first use: most streams have no `hash_ids`.
    private let lists = Mutex<[List]>([])

    init() {}

    /// Runs `body` with the slot of `session`'s list.
    @inline(__always)
    func withList<R>(of session: UInt64, _ body: (inout List) -> R) -> R {
        let slot = Int(truncatingIfNeeded: SplitMix64.mix(session) & UInt64(Self.slotCount - 1))
        return lists.withLock { lists in
            if lists.isEmpty { lists = Array(repeating: List(), count: Self.slotCount) }
            return body(&lists[slot])
        }
    }
}
