import XCTest
import Numerics
@testable import Integrator

/// The toys' closed-form integrals against independent numerical integration, and the channel maps' Jacobians.
final class ToyIntegrandTests: XCTestCase {
    /// Tensor-product Gauss–Legendre-free check: a fine midpoint rule directly on f(x) in 2-D, independent of the
    /// channel maps and of the closed form.
    func midpoint2D(_ n: Int, _ f: (Double, Double) -> Double) -> Double {
        var s = 0.0
        let h = 1 / Double(n)
        for i in 0..<n { for j in 0..<n { s += f((Double(i) + 0.5) * h, (Double(j) + 0.5) * h) } }
        return s * h * h
    }

    func testGaussianMixtureExactIntegralMatchesQuadrature() throws {
        // Peaks near the edge so truncation by the cube matters.
        let g = try GaussianMixture(dimension: 2, peaks: [
            .init(centre: [0.1, 0.5], width: 0.05, amplitude: 2),
            .init(centre: [0.7, 0.95], width: 0.08, amplitude: 0.5),
        ])
        let numeric = midpoint2D(2000) { x, y in
            var f = 0.0
            for p in g.peaks {
                let r2 = (x - p.centre[0]) * (x - p.centre[0]) + (y - p.centre[1]) * (y - p.centre[1])
                f += p.amplitude * exp(-r2 / (2 * p.width * p.width)) / (2 * Double.pi * p.width * p.width)
            }
            return f
        }
        XCTAssertEqual(g.exactIntegral, numeric, accuracy: 1e-6 * numeric)
        // One peak 2σ from an edge: 2·[Φ(2) − Φ(−18)]·[Φ(10) − Φ(−10)] with Φ(2) = 0.9772498680518208 (tables).
        let single = try GaussianMixture(dimension: 2, peaks: [.init(centre: [0.1, 0.5], width: 0.05, amplitude: 2)])
        XCTAssertEqual(single.exactIntegral, 2 * 0.9772498680518208, accuracy: 1e-12)
    }

    func testRingExactIntegralMatchesQuadrature() throws {
        let ring = try Annulus(radius: 0.3, width: 0.03)
        let numeric = midpoint2D(3000) { x, y in ring.density(x, y) }
        XCTAssertEqual(ring.exactIntegral, numeric, accuracy: 1e-6 * numeric)
    }

    func testBreitWignerExactIntegralMatchesQuadrature() throws {
        let bw = try BreitWignerProduct(masses: [0.3, 0.6], widths: [0.05, 0.02])
        let numeric = midpoint2D(4000) { x, y in
            (0.05 / (2 * Double.pi)) / ((x - 0.3) * (x - 0.3) + 0.05 * 0.05 / 4)
                * (0.02 / (2 * Double.pi)) / ((y - 0.6) * (y - 0.6) + 0.02 * 0.02 / 4)
        }
        XCTAssertEqual(bw.exactIntegral, numeric, accuracy: 1e-5 * numeric)
    }

    func testPeakMappingJacobianAndInverse() {
        let m = PeakMapping(centre: 0.3, width: 0.02)
        for y in stride(from: 0.01, to: 1, by: 0.07) {
            let h = 1e-6
            let fd = (m.map(y + h).x - m.map(y - h).x) / (2 * h)
            XCTAssertEqual(m.map(y).jacobian, fd, accuracy: 1e-5 * fd)
            XCTAssertEqual(m.inverse(m.map(y).x), y, accuracy: 1e-12)
        }
        XCTAssertEqual(m.map(1e-15).x, 0, accuracy: 1e-12)
        XCTAssertEqual(m.map(1 - 1e-15).x, 1, accuracy: 1e-12)
    }

    /// Every channel alone covers the whole domain: the plain MC mean of value_c over y is I, for each channel.
    func testEveryChannelIntegratesToTheExactValue() throws {
        let toys: [any ToyIntegrand] = [
            try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.1, usesPriorWeights: true),
            try GaussianMixture.camel(dimension: 3),
            try Annulus(radius: 0.3, width: 0.05),
            try BreitWignerProduct(masses: [0.4, 0.55], widths: [0.1, 0.08]),
        ]
        for toy in toys {
            for c in 0..<toy.channelCount {
                var rng = RandomStream(seed: 11, stream: UInt64(c))
                let n = 200_000
                var y = MatrixD(rows: n, cols: toy.dimension)
                rng.fillUniform(&y.storage)
                var e = ChannelEvaluation()
                toy.evaluate(channel: c, points: y, into: &e)
                var s = 0.0, s2 = 0.0
                for v in e.value { s += v; s2 += v * v }
                let mean = s / Double(n), err = ((s2 / Double(n) - mean * mean) / Double(n)).squareRoot()
                XCTAssertEqual(mean, toy.exactIntegral, accuracy: 4 * err, "\(toy.name) channel \(c)")
                XCTAssertEqual(e.features.rows, n)
                if e.priorWeights.rows > 0 {
                    for i in 0..<100 {
                        let row = (0..<toy.channelCount).reduce(0.0) { $0 + e.priorWeights[i, $1] }
                        XCTAssertEqual(row, 1, accuracy: 1e-12)
                    }
                }
            }
        }
    }

    func testCatalogueBuildsByNameAndRejectsBadInput() throws {
        var spec = ToySpecification(name: "gaussians")
        spec.dimension = 4; spec.peaks = 3; spec.width = 0.05
        let g = try spec.make()
        XCTAssertEqual(g.dimension, 4); XCTAssertEqual(g.channelCount, 3)
        XCTAssertEqual(g.exactIntegral, 3, accuracy: 1e-5)   // three unit-amplitude peaks ≥ 5σ inside the cube
        XCTAssertThrowsError(try ToySpecification(name: "donut").make()) { e in
            XCTAssertTrue("\(e)".contains("unknown toy integrand 'donut'"))
        }
        spec.width = -1
        XCTAssertThrowsError(try spec.make()) { XCTAssertTrue("\($0)".contains("width")) }
        var ring = ToySpecification(name: "ring"); ring.radius = 0.7
        XCTAssertThrowsError(try ring.make()) { XCTAssertTrue("\($0)".contains("radius")) }
        var bw = ToySpecification(name: "breitwigner"); bw.masses = [0.5, 0.5]; bw.widths = [0.1]
        XCTAssertThrowsError(try bw.make()) { XCTAssertTrue("\($0)".contains("widths")) }
    }
}
