// Robust estimates of the maximum weight used for unweighting. The true maximum of a sample is dominated by
// rare outliers and grows with the sample size; two standard remedies:
//  - median of bootstrap maxima (arXiv:2001.10028, also the `madnis` metrics): resample the weights R times
//    with replacement and take the median of the replicas' maxima. DEFAULT (R = 100).
//  - quantile: the smallest w_max with at most a fraction ε of the (non-zero) events above it.
//  - cross-section share: the smallest w_max whose overweight events carry at most a share ε of Σ|w|
//    (event generation's default, ε = 10⁻³: at most 0.1 % of σ sits in events with weight > 1).
import Numerics

public enum MaximumWeightEstimator: Sendable, Equatable {
    case bootstrapMedian(replicas: Int)
    case quantile(overweightFraction: Double)
    /// The smallest w_max whose overweight events (|w| > w_max) carry at most this share of Σ|w|, i.e. of σ.
    case crossSectionShare(Double)
    case exact

    public static let `default` = MaximumWeightEstimator.bootstrapMedian(replicas: 100)

    /// How the estimate is described in files and reports.
    public var name: String {
        switch self {
        case .bootstrapMedian(let r): return "median of \(r) bootstrap maxima"
        case .quantile(let f): return "quantile: at most a fraction \(f) of events overweight"
        case .crossSectionShare(let e): return "overweight events carry at most \(e) of the cross section"
        case .exact: return "largest weight"
        }
    }

    /// Estimate from |w| of the events with w ≠ 0 (events failing cuts do not enter). Returns 0 when all are 0.
    public func estimate(_ weights: [Double], rng: inout RandomStream) -> Double {
        let nonZero = weights.compactMap { $0 != 0 ? abs($0) : nil }
        guard !nonZero.isEmpty else { return 0 }
        switch self {
        case .exact:
            return nonZero.max()!
        case .crossSectionShare(let eps):
            precondition(eps >= 0 && eps < 1, "overweight share must be in [0,1)")
            let sorted = nonZero.sorted(by: >)
            let allowed = eps * sorted.reduce(0, +)
            var above = 0.0, k = 0
            // Lower w_max past the largest weights while the ones above it carry no more than the allowed share.
            while k + 1 < sorted.count && above + sorted[k] <= allowed { above += sorted[k]; k += 1 }
            return sorted[k]
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
