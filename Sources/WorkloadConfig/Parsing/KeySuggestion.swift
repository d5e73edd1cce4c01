/// "Did you mean" hints for misspelt keys and names.
enum KeySuggestion {
    /// The closest candidate within a small edit distance, if any.
    static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)?
        let lowered = word.lowercased()
        for candidate in candidates {
            let name = candidate.lowercased()
            // A misspelt or shortened key: compare with the whole name and with
            // its prefixes of about the same length (one edit's penalty).
            var distance = editDistance(lowered, name)
            for length in Swift.max(1, lowered.count - 1)...(lowered.count + 1) where length < name.count {
                distance = Swift.min(distance, editDistance(lowered, String(name.prefix(length))) + 1)
            }
            if distance <= Swift.max(2, lowered.count / 3), distance < (best?.1 ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    static func hint(for word: String, in candidates: some Sequence<String>) -> String {
        closest(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
