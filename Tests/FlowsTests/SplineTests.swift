import XCTest
import Numerics
@testable import Flows

final class SplineTests: XCTestCase {
    let c = SplineConstraints(bins: 8, minWidth: 1e-3, minHeight: 1e-3, minDerivative: 1e-3)

    func randomRaw(_ rng: inout RandomStream, scale: Double = 1.5) -> [Double] {
        (0..<c.parameterCount).map { _ in scale * rng.normal() }
    }

    func testZeroParametersGiveIdentity() {
        let raw = [Double](repeating: 0, count: c.parameterCount)
        var s = [Double](repeating: 0, count: c.scratchCount)
        for x in stride(from: 0.0, through: 1.0, by: 0.0625) {
            let f = splineForward(raw, c, x: x, scratch: &s)
            XCTAssertEqual(f.y, x, accuracy: 1e-15)
            XCTAssertEqual(f.logDerivative, 0, accuracy: 1e-14)
        }
    }

    func testRoundTripDerivativeAndMonotonicity() {
        var rng = RandomStream(seed: 4)
        var s = [Double](repeating: 0, count: c.scratchCount)
        for _ in 0..<20 {
            let raw = randomRaw(&rng)
            XCTAssertEqual(splineForward(raw, c, x: 0, scratch: &s).y, 0, accuracy: 1e-15)
            XCTAssertEqual(splineForward(raw, c, x: 1, scratch: &s).y, 1, accuracy: 1e-15)
            var previous = -1.0
            for i in 0..<200 {
                let x = (Double(i) + rng.uniform()) / 200
                let f = splineForward(raw, c, x: x, scratch: &s)
                XCTAssertGreaterThan(f.y, previous)
                previous = f.y
                let inv = splineInverse(raw, c, y: f.y, scratch: &s)
                XCTAssertEqual(inv.x, x, accuracy: 1e-12)
                XCTAssertEqual(inv.logDerivative, f.logDerivative, accuracy: 1e-9)
                let h = 1e-6 * min(x, 1 - x, 1)
                let numeric = (splineForward(raw, c, x: x + h, scratch: &s).y - splineForward(raw, c, x: x - h, scratch: &s).y) / (2 * h)
                XCTAssertEqual(log(numeric), f.logDerivative, accuracy: 1e-5)
            }
        }
    }

    /// L = a·y + b·log y′: parameter and input gradients of the hand-written backward against finite differences.
    func testBackwardMatchesFiniteDifferences() {
        var rng = RandomStream(seed: 8)
        var s = [Double](repeating: 0, count: c.scratchCount)
        for _ in 0..<30 {
            var raw = randomRaw(&rng)
            let x = rng.uniform(), a = rng.normal(), b = rng.normal()
            func loss(_ raw: [Double], _ x: Double) -> Double {
                var s = [Double](repeating: 0, count: c.scratchCount)
                let f = splineForward(raw, c, x: x, scratch: &s)
                return a * f.y + b * f.logDerivative
            }
            var dRaw = [Double](repeating: .nan, count: c.parameterCount)
            let dx = splineBackward(raw, c, x: x, gy: a, gl: b, dRaw: &dRaw, scratch: &s)
            let h = 1e-6
            let fdx = (loss(raw, x + h) - loss(raw, x - h)) / (2 * h)
            XCTAssertEqual(dx, fdx, accuracy: 1e-5 * max(1, abs(fdx)))
            for i in raw.indices {
                let keep = raw[i]
                raw[i] = keep + h; let lp = loss(raw, x)
                raw[i] = keep - h; let lm = loss(raw, x)
                raw[i] = keep
                let fd = (lp - lm) / (2 * h)
                XCTAssertEqual(dRaw[i], fd, accuracy: 1e-5 * max(1, abs(fd)), "raw \(i)")
            }
        }
    }
}

final class FastMathTests: XCTestCase {
    func testFastExpMatchesLibm() {
        var rng = RandomStream(seed: 1)
        var worst = 0.0
        for _ in 0..<100_000 {
            let x = 1400 * rng.uniform() - 700
            worst = max(worst, abs(fastExp(x) / exp(x) - 1))
        }
        for x in [0.0, 1, -1, 0.5 * log(2.0), -0.5 * log(2.0), 1e-300, -1e-300, 700, -700] {
            worst = max(worst, abs(fastExp(x) / exp(x) - 1))
        }
        XCTAssertLessThan(worst, 1e-15)
        XCTAssertEqual(fastExp(0), 1)
        XCTAssertEqual(fastExp(-1e6), exp(-708.0), accuracy: 1e-15 * exp(-708.0))  // clamped, still finite and tiny
    }
}
