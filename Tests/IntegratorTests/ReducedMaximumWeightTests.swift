import XCTest
import Numerics
import Cluster
@testable import Integrator

/// The reduced maximum (`MaximumWeightEstimator.crossSectionShare`): the smallest w_max whose overweight events
/// (|w| > w_max) carry at most a share ε of Σ|w|, and the share-weighted combination over channels.
final class ReducedMaximumWeightTests: XCTestCase {
    var rng = RandomStream(seed: 5)

    func reduced(_ w: [Double], _ share: Double) -> Double {
        MaximumWeightEstimator.crossSectionShare(share).estimate(w, rng: &rng)
    }

    /// Σ|w| = 20 over the non-zero weights 10, 5, 3, 1, 1 (signs and zeros do not matter).
    func testKnownAnswersOnAnExplicitList() {
        let w: [Double] = [0, 1, -10, 3, 0, 5, 1]
        XCTAssertEqual(reduced(w, 0), 10)        // nothing may be overweight: the largest weight
        XCTAssertEqual(reduced(w, 0.3), 10)      // 10 alone is 50 % > 30 %
        XCTAssertEqual(reduced(w, 0.5), 5)       // 10 is exactly 50 %, 10 + 5 is 75 %
        XCTAssertEqual(reduced(w, 0.8), 3)       // 10 + 5 = 75 % ≤ 80 %, + 3 = 90 %
        XCTAssertEqual(reduced(w, 0.95), 1)      // never below the smallest non-zero weight
        let s = UnweightingSummary(weights: w, maximumWeight: reduced(w, 0.8))
        XCTAssertEqual(s.efficiency, 20.0 / 7 / 3, accuracy: 1e-15)
        XCTAssertEqual(s.overweightShare, 15.0 / 20, accuracy: 1e-15)
    }

    /// Ties: lowering w_max below a repeated weight makes every copy overweight at once.
    func testTiedWeightsMoveTogether() {
        XCTAssertEqual(reduced([4, 4, 1, 1], 0.6), 4)   // one 4 would be 40 %, but both 4s are 80 %
        XCTAssertEqual(reduced([4, 4, 1, 1], 0.85), 1)
        XCTAssertEqual(reduced([0, 0], 1e-3), 0)
    }

    /// The answer is the smallest allowed: its overweight share is ≤ ε, and the next smaller weight of the sample
    /// as w_max would exceed ε.
    func testTheReducedMaximumIsMinimal() {
        let w = (0..<20_000).map { _ in exp(3 * rng.uniform()) * rng.uniform() }
        for share in [1e-4, 1e-3, 1e-2] {
            let m = reduced(w, share)
            XCTAssertLessThanOrEqual(UnweightingSummary(weights: w, maximumWeight: m).overweightShare, share)
            let below = w.filter { $0 < m }.max()!
            XCTAssertGreaterThan(UnweightingSummary(weights: w, maximumWeight: below).overweightShare, share)
        }
    }

    /// Exponential weights of mean 1: the events above t carry the share (1 + t)e⁻ᵗ of the total, so the reduced
    /// maximum of a large sample converges to the t solving (1 + t)e⁻ᵗ = ε, well below the bootstrap median of
    /// maxima (≈ ln n, the largest of n exponential weights).
    func testConvergesToTheExponentialQuantileOfTheShare() {
        let n = 200_000
        let w = (0..<n).map { _ in -log(rng.uniform()) }
        let share = 1e-2
        var lo = 0.0, hi = 50.0
        for _ in 0..<200 { let t = 0.5 * (lo + hi); if (1 + t) * exp(-t) > share { lo = t } else { hi = t } }
        // t ≈ 6.6: ~260 events above it, so the share is known to ~6 % and t to ~0.07 (d ln S/dt = −t/(1 + t)).
        let m = reduced(w, share)
        XCTAssertEqual(m, lo, accuracy: 0.3)
        let bootstrap = MaximumWeightEstimator.bootstrapMedian(replicas: 11).estimate(w, rng: &rng)
        XCTAssertGreaterThan(bootstrap, m + 3)
        XCTAssertEqual(bootstrap, log(Double(n)), accuracy: 3)
    }

    /// Channel 0: weights 1, 3 (mean 2); channel 1: 0, 2, 4, 2 (mean 2): equal shares, efficiencies 2/3 and 1/2
    /// with the exact maximum. The generator picks channel c with probability W_c/ΣW = 3/7, 4/7 and keeps 2/3, 1/2
    /// of its trials there: 3/7·2/3 + 4/7·1/2 = 4/7 = 1/(0.5/(2/3) + 0.5/0.5), below the share-weighted mean 7/12.
    func testChannelsCombineAsTheGeneratorKeepsEvents() {
        let c = ChannelCombinedUnweighting.localContribution(
            weights: [0: [1, 3], 1: [0, 2, 4, 2]], means: [2, 2], counts: [2, 4], unweighter: Unweighter(estimator: .exact),
            rng: { RandomStream(seed: UInt64($0)) })
        XCTAssertEqual(c.efficiency, 4.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(c.trialsPerEvent, 7.0 / 4, accuracy: 1e-15)
        XCTAssertEqual(c.shareWeightedEfficiency, 0.5 * 2 / 3 + 0.5 * 0.5, accuracy: 1e-15)
        XCTAssertEqual(c.overweightFraction, 0)
        // A rank holding half of channel 1's points contributes half of its share.
        let half = ChannelCombinedUnweighting.localContribution(
            weights: [1: [0, 2, 4, 2]], means: [2, 2], counts: [2, 8], unweighter: Unweighter(estimator: .exact),
            rng: { RandomStream(seed: UInt64($0)) })
        XCTAssertEqual(half.trialsPerEvent, 0.5 * 0.5 / 0.5, accuracy: 1e-15)
        XCTAssertEqual(half.shareWeightedEfficiency, 0.5 * 0.5 * 0.5, accuracy: 1e-15)
        // Summed over the ranks the parts give the whole.
        let other = ChannelCombinedUnweighting.localContribution(
            weights: [0: [1, 3], 1: [0, 2, 4, 2]], means: [2, 2], counts: [2, 8], unweighter: Unweighter(estimator: .exact),
            rng: { RandomStream(seed: UInt64($0)) })
        XCTAssertEqual(half.trialsPerEvent + other.trialsPerEvent, 7.0 / 4, accuracy: 1e-15)
    }
}
