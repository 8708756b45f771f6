/// "Did you mean" for near misses: the candidate with the smallest edit distance, if it is
/// close enough to be a likely typo (at most 2 edits, and fewer than half the word).
func closestMatch(to word: String, among candidates: [String]) -> String? {
    var best: (candidate: String, distance: Int)? = nil
    for candidate in candidates {
        let distance = editDistance(word, candidate)
        if distance <= 2, distance * 2 < max(word.count, 2), distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    return best?.candidate
}

/// " (did you mean "width"?)" or "".
func didYouMean(_ word: String, among candidates: [String], decorate: (String) -> String = quoted) -> String {
    guard let match = closestMatch(to: word, among: candidates) else { return "" }
    return " (did you mean " + decorate(match) + "?)"
}

/// Levenshtein distance over bytes; configuration words are short ASCII.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8), b = Array(b.utf8)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
