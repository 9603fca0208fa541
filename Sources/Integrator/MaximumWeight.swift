// Robust estimates of the maximum weight used for unweighting. The true maximum of a sample is dominated by
// rare outliers and grows with the sample size; two standard remedies:
//  - median of bootstrap maxima (arXiv:2001.10028, also the `madnis` metrics): resample the weights R times
//    with replacement and take the median of the replicas' maxima. DEFAULT (R = 100).
//  - quantile: the smallest w_max with at most a fraction ε of the (non-zero) events above it.
import Numerics

public enum MaximumWeightEstimator: Sendable, Equatable {
    case bootstrapMedian(replicas: Int)
    case quantile(overweightFraction: Double)
    case exact

    public static let `default` = MaximumWeightEstimator.bootstrapMedian(replicas: 100)

    /// Estimate from |w| of the events with w ≠ 0 (events failing cuts do not enter). Returns 0 when all are 0.
    public func estimate(_ weights: [Double], rng: inout RandomStream) -> Double {
        let nonZero = weights.compactMap { $0 != 0 ? abs($0) : nil }
        guard !nonZero.isEmpty else { return 0 }
        switch self {
        case .exact:
            return nonZero.max()!
        case .quantile(let eps):
            precondition(eps >= 0 && eps < 1, "overweight fraction must be in [0,1)")
            let sorted = nonZero.sorted()
            let allowedAbove = Int((eps * Double(sorted.count)).rounded(.down))
            return sorted[sorted.count - 1 - allowedAbove]
        case .bootstrapMedian(let replicas):
            precondition(replicas >= 1, "bootstrap needs at least one replica")
            // Replicas have the size of the full sample (zeros included), like the events one would generate.
            let n = weights.count
            var maxima = [Double](repeating: 0, count: replicas)
            for r in 0..<replicas {
                var m = 0.0
                for _ in 0..<n { m = max(m, abs(weights[rng.index(below: n)])) }
                maxima[r] = m
            }
            maxima.sort()
            return replicas % 2 == 1 ? maxima[replicas / 2] : 0.5 * (maxima[replicas / 2 - 1] + maxima[replicas / 2])
        }
    }
}
