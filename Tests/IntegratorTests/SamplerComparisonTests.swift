import XCTest
import Numerics
import Cluster
import Flows
@testable import Integrator

/// The headline comparison's two maximum-weight policies, its fresh re-measurements and its cost figures.
final class SamplerComparisonTests: XCTestCase {
    let comm = SerialCommunicator()

    func smallComparison() throws -> (SamplerComparison, GaussianMixture, SamplerComparisonSettings) {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let s = SmallToySettings.comparison(seed: 6)
        return (try SamplerComparison.run(integrand: toy, settings: s, communicator: comm), toy, s)
    }

    /// A pass's own efficiency and a re-estimate of its kept weights under the same deterministic policy agree.
    func testReEstimatingAPassReproducesItsEfficiency() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let vegas = try VegasBaseline(integrand: toy, bins: 16, seed: 2, communicator: comm)
        vegas.adapt(iterations: 2, pointsPerIteration: 4000)
        for estimator in [MaximumWeightEstimator.exact, .crossSectionShare(1e-3)] {
            let r = vegas.integrate(points: 10_000, unweighter: Unweighter(estimator: estimator), keepWeights: true)
            XCTAssertGreaterThan(r.unweightingEfficiency, 0)
            XCTAssertEqual(r.unweighting(with: estimator, communicator: comm).efficiency, r.unweightingEfficiency, accuracy: 1e-14)
        }
    }

    func testBothPoliciesAreMeasuredOnTheSameEvents() throws {
        let (c, toy, s) = try smallComparison()
        for f in [c.vegas, c.nis] {
            XCTAssertEqual(f.result.integral, toy.exactIntegral, accuracy: 4 * f.result.error)
            XCTAssertTrue(f.result.localWeights.isEmpty, "weights are dropped after the second estimate")
            // Dropping 0.1 % of σ into overweights lowers w_max below the bootstrap median of maxima here.
            XCTAssertGreaterThan(f.measurement.reducedMaximumEfficiency, f.result.unweightingEfficiency)
            XCTAssertLessThan(f.measurement.reducedMaximumEfficiency, 1)
            XCTAssertEqual(f.measurement.reducedUnweightedPerCPUSecond,
                           f.measurement.reducedMaximumEfficiency * Double(s.evaluationPoints) / f.evaluationCPUSeconds, accuracy: 1e-9)
        }
        XCTAssertEqual(c.reducedEfficiencyRatio, c.nis.measurement.reducedMaximumEfficiency / c.vegas.measurement.reducedMaximumEfficiency,
                       accuracy: 1e-12)
        // Fresh samples of another size: the requested calls, estimates consistent with the first measurement.
        let again = c.remeasure(points: 8_000, integrand: toy, settings: s, communicator: comm)
        for m in [again.vegas, again.nis] {
            XCTAssertEqual(m.result.integrandCalls, 8_000)
            XCTAssertEqual(m.result.integral, toy.exactIntegral, accuracy: 4 * m.result.error)
        }
        XCTAssertNotEqual(again.nis.result.integral, c.nis.result.integral, "a fresh sample, not the same events")
    }

    /// NIS set-up = VEGAS warm-up + training; beyond the break-even number of events its amortised rate wins.
    func testAmortisedRatesCrossAtTheBreakEven() throws {
        let (c, _, _) = try smallComparison()
        XCTAssertEqual(c.amortisedRate(events: 100, rate: 50, setupCPUSeconds: 3), 100 / (3 + 2), accuracy: 1e-12)
        XCTAssertEqual(c.amortisedRate(events: 100, rate: 0, setupCPUSeconds: 3), 0)
        guard let n = c.breakEvenEvents else {
            XCTAssertLessThanOrEqual(c.nis.unweightedPerCPUSecond, c.vegas.unweightedPerCPUSecond); return
        }
        func gain(_ events: Double) -> Double {
            c.amortisedRate(events: events, rate: c.nis.unweightedPerCPUSecond, setupCPUSeconds: c.nisSetupCPUSeconds)
                / c.amortisedRate(events: events, rate: c.vegas.unweightedPerCPUSecond, setupCPUSeconds: c.vegas.trainingCPUSeconds)
        }
        XCTAssertLessThan(gain(0.5 * n), 1)
        XCTAssertGreaterThan(gain(2 * n), 1)
        XCTAssertEqual(gain(n), 1, accuracy: 1e-9)
    }
}
