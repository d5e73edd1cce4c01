import Foundation

/// Distinct strings numbered 0, 1, 2, ... in order of first sight, looked up
/// from a JSON string's bytes where they stand in the line: `stats` meets
/// millions of request IDs, and a `String` and a dictionary entry per ID cost
/// more than reading the line. Keys are equal exactly when the `String`s they
/// decode to are (Swift's equality: canonical equivalence); each index keeps
/// the spelling first seen, as a dictionary keeps its first key.
struct StringTable {
    /// Key `k`'s UTF-8 (its first spelling) is `bytes[starts[k]..<starts[k + 1]]`.
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    /// Open addressing: 0 empty, else (hash's high 32 bits << 32) | (index + 1).
    private var slots = [UInt64](repeating: 0, count: 1 << 10)
    /// Keys with a character beyond ASCII that no ASCII spelling equals, by `String` equality.
    private var others: [String: Int] = [:]
    /// The ASCII keys first seen in a spelling beyond ASCII that is canonically equivalent.
    private var firstSpellings: [Int: String] = [:]

    var count: Int { starts.count - 1 }

    /// The key's first spelling.
    func name(_ index: Int) -> String {
        if let spelling = firstSpellings[index] { return spelling }
        return bytes.withUnsafeBufferPointer { String(decoding: $0[starts[index]..<starts[index + 1]], as: UTF8.self) }
    }

    /// The index of a JSON string's content as it stands in the line (escapes not yet decoded).
    mutating func index(json raw: UnsafeBufferPointer<UInt8>) -> Int {
        if Self.isPlainASCII(raw) { return index(ascii: raw) }
        return index(of: StreamLine.decode(raw))
    }

    /// The index of decoded UTF-8 bytes.
    mutating func index(utf8: UnsafeBufferPointer<UInt8>) -> Int {
        if Self.isPlainASCII(utf8) { return index(ascii: utf8) }
        return index(of: String(decoding: utf8, as: UTF8.self))
    }

    mutating func index(of text: String) -> Int {
        var text = text
        if let found = text.withUTF8({ Self.isASCII($0) ? index(ascii: $0) : nil }) { return found }
        if let found = others[text] { return found }
        // A spelling beyond ASCII can still equal an ASCII one (U+212A KELVIN SIGN is "K").
        var canonical = text.precomposedStringWithCanonicalMapping
        let before = count
        if let found = canonical.withUTF8({ Self.isASCII($0) ? index(ascii: $0) : nil }) {
            if count > before { firstSpellings[found] = text }
            return found
        }
        let added = append(text.utf8)
        others[text] = added
        return added
    }

    // MARK: the ASCII table

    private mutating func index(ascii key: UnsafeBufferPointer<UInt8>) -> Int {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = hash & 0xFFFF_FFFF_0000_0000
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let found = Int(entry & 0xFFFF_FFFF) - 1
                if equal(found, key) { return found }
            }
            slot = (slot + 1) & mask
        }
        let added = append(key)
        slots[slot] = tag | UInt64(added + 1)
        if 2 * count > slots.count { grow() }
        return added
    }

    private func equal(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[index]
        guard starts[index + 1] - start == key.count else { return false }
        guard key.count > 0 else { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + start, key.baseAddress!, key.count) == 0 }
    }

    private mutating func append<Key: Collection<UInt8>>(_ key: Key) -> Int {
        precondition(count < Int(UInt32.max) - 1, "more distinct strings than the table numbers")
        bytes.append(contentsOf: key)
        starts.append(bytes.count)
        return count - 1
    }

    private mutating func grow() {
        var larger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = larger.count - 1
        bytes.withUnsafeBufferPointer { all in
            for entry in slots where entry != 0 {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                let hash = Self.hash(UnsafeBufferPointer(rebasing: all[starts[index]..<starts[index + 1]]))
                var slot = Int(truncatingIfNeeded: hash) & mask
                while larger[slot] != 0 { slot = (slot + 1) & mask }
                larger[slot] = entry
            }
        }
        slots = larger
    }

    /// ASCII without a backslash: the bytes are the string.
    static func isPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 || byte == UInt8(ascii: "\\") { return false }
        return true
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 { return false }
        return true
    }

    /// A multiply-rotate hash, eight bytes at a time.
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15
        guard let base = UnsafeRawPointer(key.baseAddress) else { return hash }
        var offset = 0
        while offset + 8 <= key.count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = ((hash ^ word) &* 0xBF58_476D_1CE4_E5B9).rotateLeft(29)
            offset += 8
        }
        var tail: UInt64 = 0
        while offset < key.count {
            tail = tail << 8 | UInt64(key[offset])
            offset += 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 31)
    }
}

private extension UInt64 {
    func rotateLeft(_ bits: UInt64) -> UInt64 { self << bits | self >> (64 - bits) }
}
