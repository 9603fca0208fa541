import XCTest
import Foundation
import Numerics
@testable import Flows

final class VegasTests: XCTestCase {
    /// Product of normalised 1-D Gaussians; its integral over [0,1]^d is Π ½[erf((1−μ)/(σ√2)) + erf(μ/(σ√2))].
    struct GaussianProduct {
        var mu: [Double]
        var sigma: Double
        var exact: Double {
            mu.reduce(1) { $0 * 0.5 * (erf((1 - $1) / (sigma * 2.0.squareRoot())) + erf($1 / (sigma * 2.0.squareRoot()))) }
        }
        func callAsFunction(_ x: MatrixD) -> [Double] {
            let norm = 1 / ((2 * Double.pi).squareRoot() * sigma)
            return (0..<x.rows).map { i in
                var f = 1.0
                for j in 0..<mu.count { let t = (x[i, j] - mu[j]) / sigma; f *= norm * exp(-0.5 * t * t) }
                return f
            }
        }
    }

    func testIntegratorReachesNarrowSeparablePeak() {
        let f = GaussianProduct(mu: [0.5, 0.35, 0.62, 0.05], sigma: 0.05)
        var vegas = VegasIntegrator(dimension: 4, bins: 64, iterations: 14, callsPerIteration: 40_000, warmupIterations: 4)
        var rng = RandomStream(seed: 2024)
        let res = vegas.integrate({ f($0) }, rng: &rng)
        let exact = f.exact
        XCTAssertEqual(res.estimate, exact, accuracy: 3 * res.error, "VEGAS \(res.estimate) ± \(res.error), exact \(exact)")
        XCTAssertLessThan(res.error / exact, 1e-3)
        XCTAssertEqual(res.dof, 9)
        XCTAssertLessThan(res.chi2PerDof, 3)
        // Adaptation: the last iteration is far better than the first (uniform) one.
        XCTAssertLessThan(res.iterations.last!.error, res.iterations.first!.error / 30)
        // The grid concentrates around the peak: the bin holding μ is much narrower than uniform.
        let e = vegas.grid.edges[0]
        let k = e.firstIndex { $0 > 0.5 }! - 1
        XCTAssertLessThan(e[k + 1] - e[k], 0.2 / 64)
    }

    func testConstantWeightsKeepUniformGridAndMapIsConsistent() {
        var g = VegasGrid(dimension: 2, bins: 16)
        var rng = RandomStream(seed: 1)
        let u = uniformMatrix(Double.self, rows: 1000, cols: 2, rng: &rng)
        g.accumulate(u, weightsSquared: [Double](repeating: 3, count: 1000))
        g.adapt()
        for j in 0..<2 { for k in 0...16 { XCTAssertEqual(g.edges[j][k], Double(k) / 16, accuracy: 1e-12) } }
        // A non-uniform grid: map ∘ inverseMap = id, and the Jacobians agree.
        var h = VegasGrid(dimension: 2, bins: 16)
        h.accumulate(u, weightsSquared: (0..<1000).map { i in exp(-20 * u[i, 0]) * (1 + u[i, 1]) })
        h.adapt()
        let (x, jac) = h.map(u)
        let (back, jacInv) = h.inverseMap(x)
        for i in u.storage.indices { XCTAssertEqual(back.storage[i], u.storage[i], accuracy: 1e-12) }
        for i in 0..<1000 { XCTAssertEqual(jac[i], jacInv[i], accuracy: 1e-9 * jac[i]) }
        // The Jacobian is the product of 1-D slopes, and the map moved points towards small x₀.
        XCTAssertLessThan(h.edges[0][8], 0.4)
        XCTAssertThrowsError(try VegasGrid(edges: [[0, 0.5, 0.4, 1]]))
        XCTAssertThrowsError(try VegasGrid(edges: [[0, 0.5, 1], [0, 1]]))
    }

    /// Bins no point landed in carry no information: they keep the sampled bins' mean instead of being
    /// treated as f = 0 (which widened them every iteration until the region was never sampled again).
    func testUnsampledBinsKeepTheirShare() {
        var g = VegasGrid(dimension: 1, bins: 8)
        // Equal weights, but points only in the lower half of [0, 1].
        let u = MatrixD(rows: 800, cols: 1, storage: (0..<800).map { (Double($0) + 0.5) / 1600 })
        g.accumulate(u, weightsSquared: [Double](repeating: 1, count: 800))
        g.adapt()
        // Same density everywhere → the grid stays uniform (before the fix the upper half collapsed into
        // fewer, wider bins: edge 4 moved well above 0.5).
        for k in 0...8 { XCTAssertEqual(g.edges[0][k], Double(k) / 8, accuracy: 1e-12) }
        // The damping default is the robust 0.5 (see VegasGrid.defaultDamping).
        XCTAssertEqual(VegasGrid.defaultDamping, 0.5)
    }

    func testReducedGridKeepsEndpointsKnotsAndMonotonicity() throws {
        var g = VegasGrid(dimension: 3, bins: 64)
        var rng = RandomStream(seed: 3)
        let f = GaussianProduct(mu: [0.3, 0.5, 0.8], sigma: 0.04)
        for _ in 0..<5 {
            let u = uniformMatrix(Double.self, rows: 4000, cols: 3, rng: &rng)
            let (x, j) = g.map(u)
            g.accumulate(u, weightsSquared: zip(f(x), j).map { ($0 * $1) * ($0 * $1) })
            g.adapt()
        }
        for m in [10, 16, 7] {
            let r = g.reduced(toBins: m)
            XCTAssertEqual(r.bins, m)
            for j in 0..<3 {
                let e = r.edges[j]
                XCTAssertEqual(e.first, 0)
                XCTAssertEqual(e.last, 1)
                for k in 0..<m { XCTAssertLessThan(e[k], e[k + 1]) }
                // The coarse knots lie on the fine map: x_coarse(k/m) = x_fine(k/m).
                let u = MatrixD(rows: m + 1, cols: 3, storage: (0...m).flatMap { k in [Double](repeating: Double(k) / Double(m), count: 3) })
                let fine = g.map(u).x
                for k in 0...m { XCTAssertEqual(e[k], fine[k, j], accuracy: 1e-12) }
                if 64 % m == 0 { for k in 0...m { XCTAssertEqual(e[k], g.edges[j][k * 64 / m], accuracy: 1e-15) } }
            }
        }
    }

    func testFlowInitialisedFromVegasReproducesReducedMap() {
        let d = 3
        var g = VegasGrid(dimension: d, bins: 64)
        var rng = RandomStream(seed: 5)
        let f = GaussianProduct(mu: [0.3, 0.55, 0.7], sigma: 0.08)
        for _ in 0..<6 {
            let u = uniformMatrix(Double.self, rows: 4000, cols: d, rng: &rng)
            let (x, j) = g.map(u)
            g.accumulate(u, weightsSquared: zip(f(x), j).map { ($0 * $1) * ($0 * $1) })
            g.adapt()
        }
        let config = FlowConfig(bins: 10)
        let flow = perturbedFlow(Double.self, dimension: d, config: config, seed: 8)  // start from a non-trivial flow
        flow.initialize(fromVegas: g)
        let reduced = g.reduced(toBins: 10)
        // At the knots r = k/10 the flow is the reduced VEGAS map exactly.
        let knots = MatrixD(rows: 9, cols: d, storage: (1...9).flatMap { k in [Double](repeating: Double(k) / 10, count: d) })
        let sk = flow.sample(latent: knots).x
        let vk = reduced.map(knots).x
        for i in sk.storage.indices { XCTAssertEqual(sk.storage[i], vk.storage[i], accuracy: 1e-12) }
        // In between, the spline stays close to the piecewise-linear map and the densities agree.
        let r = uniformMatrix(Double.self, rows: 2000, cols: d, rng: &rng)
        let s = flow.sample(latent: r)
        let (vx, vjac) = reduced.map(r)
        var worstX = 0.0, sumAbsLog = 0.0
        for i in 0..<2000 {
            for j in 0..<d { worstX = max(worstX, abs(s.x[i, j] - vx[i, j])) }
            sumAbsLog += abs(s.logDensity[i] + log(vjac[i]))
        }
        XCTAssertLessThan(worstX, 0.02)  // bins are 0.1 wide on average
        XCTAssertLessThan(sumAbsLog / 2000, 0.3)
        // As importance samplers for f they are equally good: the variances of f/q agree within 20%.
        let fv = f(vx), ff = f(s.x)
        let wv = (0..<2000).map { fv[$0] * vjac[$0] }, wf = (0..<2000).map { ff[$0] / exp(s.logDensity[$0]) }
        let varV = meanAndError(wv).error, varF = meanAndError(wf).error
        XCTAssertEqual(varF / varV, 1, accuracy: 0.2)
    }

    /// Every dimension gets its VEGAS map exactly once, whatever the masks: the initialised flow is the
    /// product of the reduced 1-D maps at the knots, for random and exchange permutations and 5 dimensions.
    func testVegasInitialisationWithOtherMasks() {
        var g = VegasGrid(dimension: 5, bins: 40)
        var rng = RandomStream(seed: 12)
        let f = GaussianProduct(mu: [0.2, 0.4, 0.5, 0.6, 0.8], sigma: 0.1)
        for _ in 0..<4 {
            let u = uniformMatrix(Double.self, rows: 3000, cols: 5, rng: &rng)
            let (x, j) = g.map(u)
            g.accumulate(u, weightsSquared: zip(f(x), j).map { ($0 * $1) * ($0 * $1) })
            g.adapt()
        }
        let reduced = g.reduced(toBins: 8)
        for perm in [FlowConfig.Permutations.random(seed: 3), .exchange, .log] {
            let flow = CouplingFlow<Double>(dimension: 5, config: FlowConfig(bins: 8, permutations: perm), seed: 2)
            flow.initialize(fromVegas: g)
            let knots = MatrixD(rows: 7, cols: 5, storage: (1...7).flatMap { k in [Double](repeating: Double(k) / 8, count: 5) })
            let sk = flow.sample(latent: knots)
            let vk = reduced.map(knots)
            for i in sk.x.storage.indices { XCTAssertEqual(sk.x.storage[i], vk.x.storage[i], accuracy: 1e-12, "\(perm)") }
            // At a knot the spline derivative dr/dx is that of the wider neighbouring bin, 1/(B·max(w_{k−1}, w_k)),
            // in every dimension.
            let e = reduced.edges
            for k in 1...7 {
                var expected = 0.0
                for j in 0..<5 {
                    let wider: Double = max(e[j][k] - e[j][k - 1], e[j][k + 1] - e[j][k])
                    expected -= log(8 * wider)
                }
                XCTAssertEqual(sk.logDensity[k - 1], expected, accuracy: 1e-9, "\(perm)")
            }
        }
    }
}
