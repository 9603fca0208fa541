// Channel dropping (MadNIS Reloaded, arXiv:2311.01548 §3.3): channels that carry a negligible share of the
// integral still cost samples and training; once their cumulative share is below a threshold they are
// switched off and α is renormalised over the rest (the channel-weight net's softmax runs over active ones).

public struct ChannelDropping: Sendable, Equatable {
    /// Drop the smallest channels while their summed share of Σ|I_c| stays below this.
    public var threshold: Double
    /// Never go below this many active channels.
    public var minimumActive: Int

    public init(threshold: Double = 0.01, minimumActive: Int = 1) {
        precondition(threshold >= 0 && threshold < 1, "channel-dropping threshold must be in [0,1)")
        self.threshold = threshold
        self.minimumActive = max(minimumActive, 1)
    }

    /// New activity mask: already inactive channels stay off; the active ones with the smallest |I_c| are
    /// dropped as long as the cumulative share of all dropped-now channels stays ≤ threshold.
    public func update(active: [Bool], channelIntegrals: [Double]) -> [Bool] {
        precondition(active.count == channelIntegrals.count)
        var result = active
        let live = active.indices.filter { active[$0] }
        let total = live.reduce(0.0) { $0 + abs(channelIntegrals[$1]) }
        guard total > 0, threshold > 0 else { return result }
        let ascending = live.sorted { abs(channelIntegrals[$0]) != abs(channelIntegrals[$1])
            ? abs(channelIntegrals[$0]) < abs(channelIntegrals[$1]) : $0 < $1 }
        var cumulative = 0.0, remaining = live.count
        for c in ascending {
            cumulative += abs(channelIntegrals[c]) / total
            if cumulative > threshold || remaining <= minimumActive { break }
            result[c] = false
            remaining -= 1
        }
        return result
    }
}
