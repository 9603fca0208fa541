// Which ranks sample and train which channels. Each channel has one or more owner ranks; with more ranks
// than channels several ranks share a channel: each samples its own part of the channel's points and the
// channel's flow gradients are summed over its owners, so every replica of that flow stays identical.
// Every rank computes the same plan from the same (global) inputs, so no plan is ever communicated.

public struct ChannelPlan: Sendable, Equatable {
    public let channelCount: Int
    /// The rank this plan is for, and how many ranks there are.
    public let rank: Int
    public let rankCount: Int
    /// owners[c]: the ranks that sample channel c, ascending (never empty for a valid plan).
    public let owners: [[Int]]
    /// Channels this rank samples, ascending.
    public let ownedChannels: [Int]

    public init(rank: Int, owners: [[Int]]) {
        let size = (owners.flatMap { $0 }.max() ?? 0) + 1
        self.init(rank: rank, rankCount: max(size, rank + 1), owners: owners)
    }

    init(rank: Int, rankCount: Int, owners: [[Int]]) {
        precondition(owners.allSatisfy { o in o.allSatisfy { $0 >= 0 && $0 < rankCount } }, "ChannelPlan: owner out of range")
        self.channelCount = owners.count
        self.rank = rank
        self.rankCount = rankCount
        self.owners = owners.map { $0.sorted() }
        ownedChannels = (0..<owners.count).filter { owners[$0].contains(rank) }
    }

    /// A one-rank view that owns `ownedChannels` alone (channels owned elsewhere are unknown here).
    public init(channelCount: Int, ownedChannels: [Int]) {
        precondition(ownedChannels.allSatisfy { $0 >= 0 && $0 < channelCount }, "ChannelPlan: channel out of range")
        self.init(rank: 0, rankCount: 1, owners: (0..<channelCount).map { ownedChannels.contains($0) ? [0] : [] })
    }

    public static func all(_ channelCount: Int) -> ChannelPlan {
        ChannelPlan(rank: 0, rankCount: 1, owners: Array(repeating: [0], count: channelCount))
    }

    /// Every rank samples a share of every channel (all flows replicated, their gradients summed over all
    /// ranks): what density-aware channel weights need, since they evaluate every channel's density at every point.
    public static func everyRankOwnsEveryChannel(channelCount: Int, rank: Int, size: Int) -> ChannelPlan {
        ChannelPlan(rank: rank, rankCount: size, owners: Array(repeating: Array(0..<size), count: channelCount))
    }

    /// Channels dealt in turn; with more ranks than channels, rank r shares channel r mod C.
    public static func roundRobin(channelCount: Int, rank: Int, size: Int) -> ChannelPlan {
        var owners = [[Int]](repeating: [], count: channelCount)
        if size >= channelCount {
            for r in 0..<size { owners[r % channelCount].append(r) }
        } else {
            for ch in 0..<channelCount { owners[ch] = [ch % size] }
        }
        return ChannelPlan(rank: rank, rankCount: size, owners: owners)
    }

    /// Balance by cost (expected seconds of work per step, e.g. σ_c × time per point: Neyman allocation gives
    /// channel c points ∝ σ_c). With more ranks than channels: every channel gets one rank, the rest go one by
    /// one to the channel with the largest cost per owner; owners are contiguous blocks of ranks. With fewer:
    /// a channel costing more than a rank's fair share T/N gets about cost/(T/N) ranks of its own, and the other
    /// channels go largest first onto the least loaded rank (LPT) — so one dominant channel cannot leave the
    /// other ranks idle (W + 2 jets: one channel carries most of the variance).
    public static func balanced(costs: [Double], rank: Int, size: Int) -> ChannelPlan {
        let c = costs.count
        precondition(c >= 1 && size >= 1, "ChannelPlan.balanced: needs channels and ranks")
        let cost = costs.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        var owners = [[Int]](repeating: [], count: c)
        if size <= c {
            let fair = cost.reduce(0, +) / Double(size)
            // Channels heavier than a fair share get about cost/fair ranks of their own (fewer if that overflows).
            var counts = cost.map { fair > 0 && $0 > fair ? max(1, Int(($0 / fair).rounded())) : 0 }
            while counts.reduce(0, +) > size {
                var cut = -1
                for ch in 0..<c where counts[ch] > 1 {
                    if cut < 0 || cost[ch] / Double(counts[ch] - 1) < cost[cut] / Double(counts[cut] - 1) { cut = ch }
                }
                guard cut >= 0 else { break }
                counts[cut] -= 1
            }
            var load = [Double](repeating: 0, count: size)
            var r = 0
            for ch in 0..<c where counts[ch] > 0 {
                owners[ch] = Array(r..<(r + counts[ch]))
                for k in owners[ch] { load[k] = cost[ch] / Double(counts[ch]) }
                r += counts[ch]
            }
            let order = (0..<c).filter { counts[$0] == 0 }.sorted { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }
            for ch in order {
                var best = 0
                for k in 1..<size where load[k] < load[best] { best = k }
                owners[ch] = [best]
                load[best] += max(cost[ch], 1e-300)
            }
        } else {
            var counts = [Int](repeating: 1, count: c)
            for _ in 0..<(size - c) {
                var best = 0
                for ch in 1..<c where cost[ch] / Double(counts[ch]) > cost[best] / Double(counts[best]) { best = ch }
                counts[best] += 1
            }
            var next = 0
            for ch in 0..<c {
                owners[ch] = Array(next..<(next + counts[ch]))
                next += counts[ch]
            }
        }
        return ChannelPlan(rank: rank, rankCount: size, owners: owners)
    }

    public func owns(_ channel: Int) -> Bool { owners[channel].contains(rank) }

    /// Channels sampled by more than one rank (the same list on every rank).
    public var sharedChannels: [Int] { (0..<channelCount).filter { owners[$0].count > 1 } }

    public func isShared(_ channel: Int) -> Bool { owners[channel].count > 1 }

    /// This rank's position among the channel's owners (nil when it does not own it).
    public func slot(of channel: Int) -> Int? { owners[channel].firstIndex(of: rank) }

    /// This rank's part of `total` points of a channel: an even split over the owners, the remainder to the
    /// first ones; 0 for channels it does not own.
    public func localCount(_ channel: Int, total: Int) -> Int {
        guard let s = slot(of: channel) else { return 0 }
        let k = owners[channel].count
        return total / k + (s < total % k ? 1 : 0)
    }

    /// The same plan seen from another rank.
    public func forRank(_ r: Int) -> ChannelPlan { ChannelPlan(rank: r, rankCount: rankCount, owners: owners) }
}
