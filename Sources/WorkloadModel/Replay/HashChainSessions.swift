/// Finds the later turns of a Mooncake-style trace from its hash_ids.
///
/// A later turn's prompt is the earlier turn's prompt, its answer and new
/// input, so its chain begins with every *complete* block of the earlier
/// request (the earlier request's last, partial block differs once more text
/// follows it). A request is a later turn of the session whose earlier
/// request's complete blocks are the longest such prefix of its chain, at
/// least two blocks long: one block alone is at most a prompt every session
/// shares (Mooncake's block 0 is in every request).
package struct HashChainSessions: Sendable {
    package let blockTokens: Int64
    /// Digest of a complete-block prefix -> the session it belongs to.
    var owners: [UInt64: Int] = [:]

    package init(blockTokens: Int64 = 512) {
        self.blockTokens = blockTokens
    }

    /// The session `hashIDs` continues, if any (searching earlier requests only).
    package func session(continuedBy hashIDs: [Int64]) -> Int? {
        guard hashIDs.count >= 3 else { return nil }
        var digest = StreamIdentity("chain")
        var found: Int?
        // A proper prefix: the later turn adds at least one block.
        for index in 0..<(hashIDs.count - 1) {
            digest.append(UInt64(bitPattern: hashIDs[index]))
            if index >= 1, let owner = owners[digest.hash] { found = owner }
        }
        return found
    }

    /// Records a request's complete blocks as belonging to `session`.
    package mutating func record(_ hashIDs: [Int64], promptTokens: Int64, session: Int) {
        let complete = Swift.min(hashIDs.count, Int(promptTokens / blockTokens))
        guard complete >= 2 else { return }
        var digest = StreamIdentity("chain")
        for index in 0..<complete { digest.append(UInt64(bitPattern: hashIDs[index])) }
        owners[digest.hash] = session
    }

    package mutating func removeAll() { owners.removeAll(keepingCapacity: true) }
}
