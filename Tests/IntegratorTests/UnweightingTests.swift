import XCTest
import Numerics
@testable import Integrator

/// Maximum-weight estimators, the efficiency formula and the distribution of unweighted events.
final class UnweightingTests: XCTestCase {
    func testEfficiencyAndOverweightFigures() {
        let w: [Double] = [0, 1, 2, 3, 6]
        let s = UnweightingSummary(weights: w, maximumWeight: 4)
        XCTAssertEqual(s.efficiency, (12.0 / 5) / 4, accuracy: 1e-15)   // ⟨|w|⟩/w_max, zeros included
        XCTAssertEqual(s.overweightFraction, 0.2)
        XCTAssertEqual(s.overweightShare, 6.0 / 12)
        XCTAssertEqual(s.excessShare, 2.0 / 12)
    }

    func testMaximumWeightEstimators() {
        var rng = RandomStream(seed: 2)
        let w = (0..<10_000).map { _ in rng.uniform() }
        XCTAssertEqual(MaximumWeightEstimator.exact.estimate(w, rng: &rng), w.max()!)
        let q = MaximumWeightEstimator.quantile(overweightFraction: 0.01).estimate(w, rng: &rng)
        XCTAssertEqual(Double(w.filter { $0 > q }.count) / 10_000, 0.01, accuracy: 1e-4)
        XCTAssertEqual(q, 0.99, accuracy: 0.005)
        // Bootstrap median of maxima of a uniform sample: a replica misses the true maximum with prob (1−1/n)^n ≈ e⁻¹,
        // so the median is the sample maximum or the runner-up.
        let b = MaximumWeightEstimator.bootstrapMedian(replicas: 51).estimate(w, rng: &rng)
        let sorted = w.sorted()
        XCTAssertTrue(b == sorted[9_999] || b == sorted[9_998], "\(b)")
        // A single huge outlier is ignored by the bootstrap median more often than not and always by the quantile.
        let outlier = w + [1000]
        XCTAssertLessThan(MaximumWeightEstimator.quantile(overweightFraction: 0.001).estimate(outlier, rng: &rng), 1.1)
    }

    /// Points uniform on [0,1] with weights w = 3x² unweight to the density 3x²: χ² over 20 bins.
    func testUnweightedEventsFollowTheTargetDensity() {
        var rng = RandomStream(seed: 8)
        let n = 200_000
        let x = (0..<n).map { _ in rng.uniform() }
        let w = x.map { 3 * $0 * $0 }
        let (kept, newWeights) = Unweighter.unweight(w, maximumWeight: 3, rng: &rng)
        XCTAssertTrue(newWeights.allSatisfy { $0 == 3 })
        // Acceptance = efficiency = ⟨w⟩/w_max = 1/3.
        let acceptance = Double(kept.count) / Double(n)
        XCTAssertEqual(acceptance, 1.0 / 3, accuracy: 4 * (1.0 / 3 * 2.0 / 3 / Double(n)).squareRoot())
        var bins = [Double](repeating: 0, count: 20)
        for i in kept { bins[min(Int(x[i] * 20), 19)] += 1 }
        var chi2 = 0.0
        for b in 0..<20 {
            let lo = Double(b) / 20, hi = Double(b + 1) / 20
            let expected = Double(kept.count) * (hi * hi * hi - lo * lo * lo)
            chi2 += (bins[b] - expected) * (bins[b] - expected) / expected
        }
        XCTAssertGreaterThan(chiSquarePValue(chi2, dof: 19), 0.001, "χ² = \(chi2)")
    }

    /// With overweights, kept events carry max(w, w_max) and the weighted sum stays unbiased.
    func testPartialUnweightingIsUnbiased() {
        var rng = RandomStream(seed: 21)
        let n = 100_000
        let w = (0..<n).map { _ in -log(rng.uniform()) }   // exponential weights, mean 1
        let (_, newWeights) = Unweighter.unweight(w, maximumWeight: 2, rng: &rng)
        let estimate = newWeights.reduce(0, +) / Double(n)
        XCTAssertEqual(estimate, w.reduce(0, +) / Double(n), accuracy: 4 * (2.0 / Double(n)).squareRoot())
    }
}
