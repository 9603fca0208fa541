// Per-channel Monte Carlo sums (Σw, Σw², n) and what follows from them. Additive, so partial sums from
// several steps or several MPI ranks combine by plain addition (one allreduce of a flat array).
import Cluster

/// Per-channel sums of weights of one integration pass. The estimate of channel c's share of the integral is
/// mean_c = Σw/n, its variance per point var_c = Σw²/n − mean², and with stratified sampling
/// I = Σ_c mean_c, δI² = Σ_c var_c / n_c.
public struct ChannelStatistics: Sendable, Equatable {
    public private(set) var sumWeights: [Double]
    public private(set) var sumSquaredWeights: [Double]
    public private(set) var counts: [Int64]

    public init(channelCount: Int) {
        sumWeights = Array(repeating: 0, count: channelCount)
        sumSquaredWeights = Array(repeating: 0, count: channelCount)
        counts = Array(repeating: 0, count: channelCount)
    }

    public var channelCount: Int { counts.count }

    /// Add the weights of points sampled in `channel`.
    public mutating func add(channel: Int, weights: [Double]) {
        var s = 0.0, s2 = 0.0
        for w in weights { s += w; s2 += w * w }
        sumWeights[channel] += s
        sumSquaredWeights[channel] += s2
        counts[channel] += Int64(weights.count)
    }

    public mutating func merge(_ other: ChannelStatistics) {
        precondition(other.channelCount == channelCount)
        for c in 0..<channelCount {
            sumWeights[c] += other.sumWeights[c]
            sumSquaredWeights[c] += other.sumSquaredWeights[c]
            counts[c] += other.counts[c]
        }
    }

    /// Sum over all ranks (each rank holds the sums of the channels it sampled, zeros elsewhere).
    public func reduced(over communicator: any Communicator) -> ChannelStatistics {
        var sums = sumWeights + sumSquaredWeights
        communicator.allreduce(&sums, .sum)
        var n = counts
        communicator.allreduce(&n, .sum)
        var out = self
        out.sumWeights = Array(sums[0..<channelCount])
        out.sumSquaredWeights = Array(sums[channelCount...])
        out.counts = n
        return out
    }

    public func mean(_ c: Int) -> Double { counts[c] > 0 ? sumWeights[c] / Double(counts[c]) : 0 }

    /// Unbiased per-point variance of channel c's weights.
    public func variance(_ c: Int) -> Double {
        let n = Double(counts[c])
        guard n > 1 else { return 0 }
        let m = sumWeights[c] / n
        return max(sumSquaredWeights[c] / n - m * m, 0) * n / (n - 1)
    }

    public var means: [Double] { (0..<channelCount).map(mean) }
    public var standardDeviations: [Double] { (0..<channelCount).map { variance($0).squareRoot() } }

    public var integral: Double { means.reduce(0, +) }

    /// δI = √(Σ_c var_c / n_c) (channels without points contribute nothing).
    public var error: Double {
        var e2 = 0.0
        for c in 0..<channelCount where counts[c] > 0 { e2 += variance(c) / Double(counts[c]) }
        return e2.squareRoot()
    }

    public func channelError(_ c: Int) -> Double { counts[c] > 0 ? (variance(c) / Double(counts[c])).squareRoot() : 0 }

    public var totalCount: Int64 { counts.reduce(0, +) }

    /// Relative standard deviation per point that the current allocation achieves: δI·√N / I.
    public var relativeStandardDeviation: Double {
        let i = integral
        return i != 0 ? error * Double(totalCount).squareRoot() / abs(i) : .infinity
    }

    /// The best relative standard deviation per point with Neyman allocation (n_c ∝ σ_c): Σ_c σ_c / I.
    public var optimalRelativeStandardDeviation: Double {
        let i = integral
        return i != 0 ? standardDeviations.reduce(0, +) / abs(i) : .infinity
    }
}
