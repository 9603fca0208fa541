// The channel set for W(→ℓν) + n partons (Chili-style, arXiv:2302.10449: one t-channel plus s-channel
// decays). Channel 0 treats every parton as an initial-state (t-channel) emission. Every further channel groups
// partons into s-channel clusters (final-state splittings): a set partition of the partons into blocks, each
// block of two or more partons carrying one of its binary-tree shapes (unordered: (2k−3)!! for k partons).
// A channel with blocks B has n − |B| s-channel propagators; `maxPropagators` bounds that number, which keeps
// the count manageable: n = 0…6 → 1, 1, 2, 7, 22, 56, 121 channels for maxPropagators = 2
// (n = 4: all-t-channel 1, one pair 6, two pairs 3, one triple 4 × 3 shapes = 12). All channels share the
// dimension 3n + 4; channel 0 alone covers the cut region, and so does every other channel (see ChiliChannel).

public enum WJetsChannels {
    /// All distinct binary trees over the given leaves (unordered children: the first subtree holds the smallest leaf).
    public static func treeShapes(_ leaves: [Int]) -> [DecayTree] {
        let sorted = leaves.sorted()
        guard sorted.count > 1 else { return sorted.map { .particle($0) } }
        let first = sorted[0], rest = Array(sorted.dropFirst())
        var result: [DecayTree] = []
        // Left part = first ∪ subset of rest (proper, so the right part is non-empty).
        for mask in 0..<((1 << rest.count) - 1) {
            var left = [first], right: [Int] = []
            for (i, x) in rest.enumerated() { if mask & (1 << i) != 0 { left.append(x) } else { right.append(x) } }
            for l in treeShapes(left) { for r in treeShapes(right) { result.append(.split(l, r)) } }
        }
        return result
    }

    /// Every clustering of partons 0..<n with at most `maxPropagators` s-channel propagators, ordered by
    /// the number of propagators (the empty clustering, channel 0, first).
    public static func clusterings(partons n: Int, maxPropagators: Int) -> [[DecayTree]] {
        var result: [[DecayTree]] = []
        func recurse(_ remaining: [Int], _ current: [DecayTree], _ props: Int) {
            guard let e = remaining.first else { result.append(current); return }
            let others = Array(remaining.dropFirst())
            for mask in 0..<(1 << others.count) {
                var block = [e], rest: [Int] = []
                for (i, x) in others.enumerated() { if mask & (1 << i) != 0 { block.append(x) } else { rest.append(x) } }
                let p = props + block.count - 1
                guard p <= maxPropagators else { continue }
                if block.count == 1 { recurse(rest, current, p); continue }
                for t in treeShapes(block) { recurse(rest, current + [t], p) }
            }
        }
        recurse(Array(0..<n), [], 0)
        func count(_ c: [DecayTree]) -> Int { c.reduce(0) { $0 + $1.particles.count - 1 } }
        return result.enumerated().sorted { (count($0.element), $0.offset) < (count($1.element), $1.offset) }.map { $0.element }
    }

    /// The channels for W + n partons under the given generation limits.
    public static func make(jets n: Int, limits: ChannelLimits, maxPropagators: Int = 2) throws -> [ChiliChannel] {
        guard n >= 0 && n <= 8 else { throw PhaseSpaceError.unsupportedTopology("W + \(n) jets: supported multiplicities are 0…8") }
        guard maxPropagators >= 0 else { throw PhaseSpaceError.unsupportedTopology("maxPropagators must be ≥ 0") }
        return try clusterings(partons: n, maxPropagators: maxPropagators).map { try ChiliChannel(jets: n, clusters: $0, limits: limits) }
    }
}
