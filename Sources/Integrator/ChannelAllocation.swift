// Stratified sampling: how many of a batch's points each channel gets. Neyman's allocation n_c ∝ σ_c
// minimises the variance of Σ_c mean_c for a fixed total (MadNIS Reloaded, arXiv:2311.01548 §3.2); a
// uniform fraction and a per-channel minimum keep every active channel's estimates (and training) alive.

public struct ChannelAllocation: Sendable, Equatable {
    /// Fraction of the batch spread uniformly over active channels (the rest goes ∝ σ_c).
    public var uniformFraction: Double
    /// Minimum points for every active channel.
    public var minimumPerChannel: Int

    public init(uniformFraction: Double = 0.1, minimumPerChannel: Int = 8) {
        precondition(uniformFraction >= 0 && uniformFraction <= 1, "uniformFraction must be in [0,1]")
        precondition(minimumPerChannel >= 0, "minimumPerChannel must be ≥ 0")
        self.uniformFraction = uniformFraction
        self.minimumPerChannel = minimumPerChannel
    }

    /// Points per channel (0 for inactive channels), summing to `total` exactly unless the minimum forces more.
    /// `standardDeviations` with all zeros (or non-finite entries) fall back to a uniform split.
    /// Deterministic: every rank computes the same allocation from the same reduced statistics.
    public func allocate(total: Int, standardDeviations sigma: [Double], active: [Bool]) -> [Int] {
        precondition(sigma.count == active.count)
        let indices = active.indices.filter { active[$0] }
        var counts = Array(repeating: 0, count: active.count)
        guard !indices.isEmpty, total > 0 else { return counts }
        let sigmaSum = indices.reduce(0.0) { $0 + (sigma[$1].isFinite ? max(sigma[$1], 0) : 0) }
        let neyman = sigmaSum > 0 ? 1 - uniformFraction : 0
        let free = max(total - minimumPerChannel * indices.count, 0)
        var shares = [Double](repeating: 0, count: active.count)
        for c in indices {
            let s = sigma[c].isFinite ? max(sigma[c], 0) : 0
            let share = neyman * (sigmaSum > 0 ? s / sigmaSum : 0) + (1 - neyman) / Double(indices.count)
            shares[c] = share * Double(free)
            counts[c] = minimumPerChannel + Int(shares[c].rounded(.down))
        }
        // Hand the points lost to rounding to the largest remainders (ties by channel index).
        var missing = max(total, minimumPerChannel * indices.count) - counts.reduce(0, +)
        let order = indices.sorted { a, b in
            let ra = shares[a] - shares[a].rounded(.down), rb = shares[b] - shares[b].rounded(.down)
            return ra != rb ? ra > rb : a < b
        }
        var k = 0
        while missing > 0 { counts[order[k % order.count]] += 1; missing -= 1; k += 1 }
        return counts
    }
}
