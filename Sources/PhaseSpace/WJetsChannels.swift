// The channel set for W(→ℓν) + n partons. Channel 0 treats every parton as an initial-state (t-channel)
// emission; every further channel merges k disjoint pairs of partons into s-channel splittings (all partial
// matchings of the n partons with at most `maxPairs` pairs). Counts: n = 0…6 → 1, 1, 2, 4, 10, 26, 76
// (maxPairs = 3). All channels share the dimension 3n + 4, and channel 0 alone covers the cut region.

public enum WJetsChannels {
    /// All partial matchings of 0..<n with at most `maxPairs` disjoint pairs, the empty one first.
    public static func pairings(partons n: Int, maxPairs: Int) -> [[(Int, Int)]] {
        var result: [[(Int, Int)]] = [[]]
        func extend(_ current: [(Int, Int)], used: Set<Int>, from: Int) {
            guard current.count < maxPairs else { return }
            for i in from..<n where !used.contains(i) {
                for j in (i + 1)..<max(n, i + 1) where !used.contains(j) {
                    let next = current + [(i, j)]
                    result.append(next)
                    extend(next, used: used.union([i, j]), from: i + 1)
                }
            }
        }
        extend([], used: [], from: 0)
        return result
    }

    /// The channels for W + n partons under the given generation limits.
    public static func make(jets n: Int, limits: ChannelLimits, maxPairs: Int = 3) throws -> [ChiliChannel] {
        guard n >= 0 && n <= 8 else { throw PhaseSpaceError.unsupportedTopology("W + \(n) jets: supported multiplicities are 0…8") }
        return try pairings(partons: n, maxPairs: maxPairs).map { try ChiliChannel(jets: n, pairs: $0, limits: limits) }
    }
}
