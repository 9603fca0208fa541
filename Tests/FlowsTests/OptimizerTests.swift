import XCTest
import Numerics
@testable import Flows

final class OptimizerTests: XCTestCase {
    func testAdamFirstStepIsLearningRateTimesSign() {
        // With m̂ = g and v̂ = g² after bias correction, the first Adam step is lr·g/(|g| + ε) (Kingma & Ba §2).
        var adam = Adam<Double>(learningRate: 0.01)
        var p: [Double] = [1, 2, 3]
        adam.step(parameters: &p, gradients: [0.5, -2, 1e-3])
        XCTAssertEqual(p[0], 0.99, accuracy: 1e-9)
        XCTAssertEqual(p[1], 2.01, accuracy: 1e-9)
        XCTAssertEqual(p[2], 3 - 0.01 * 1e-3 / (1e-3 + 1e-8), accuracy: 1e-12)
    }

    func testAdamAndSGDMinimiseQuadratic() {
        // f(p) = Σ a_i (p_i − t_i)², gradient 2 a (p − t).
        let a: [Double] = [1, 10, 0.1], t: [Double] = [1, -2, 3]
        func grad(_ p: [Double]) -> [Double] { (0..<3).map { 2 * a[$0] * (p[$0] - t[$0]) } }
        var adam = Adam<Double>(learningRate: 0.05)
        var p: [Double] = [0, 0, 0]
        for s in 0..<3000 {
            adam.learningRate = LearningRateSchedule.cosine(totalSteps: 3000, minimum: 1e-4).rate(base: 0.05, step: s)
            adam.step(parameters: &p, gradients: grad(p))
        }
        for i in 0..<3 { XCTAssertEqual(p[i], t[i], accuracy: 1e-3) }
        var sgd = SGD<Float>(learningRate: 0.04, momentum: 0.9)
        var q: [Float] = [0, 0, 0]
        for _ in 0..<2000 { sgd.step(parameters: &q, gradients: grad(q.map(Double.init)).map(Float.init)) }
        for i in 0..<3 { XCTAssertEqual(Double(q[i]), t[i], accuracy: 1e-3) }
    }

    func testSchedulesAndClipping() {
        let cosine = LearningRateSchedule.cosine(totalSteps: 100, minimum: 0.1)
        XCTAssertEqual(cosine.rate(base: 1, step: 0), 1, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(base: 1, step: 50), 0.55, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(base: 1, step: 100), 0.1, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(base: 1, step: 500), 0.1, accuracy: 1e-15)
        XCTAssertEqual(LearningRateSchedule.exponential(decayPerStep: 0.5).rate(base: 2, step: 3), 0.25)
        XCTAssertEqual(LearningRateSchedule.constant.rate(base: 3, step: 7), 3)
        var g: [Double] = [3, 4]
        XCTAssertEqual(clipGradientNorm(&g, maxNorm: 1), 5)
        XCTAssertEqual(g[0], 0.6, accuracy: 1e-15)
        XCTAssertEqual(g[1], 0.8, accuracy: 1e-15)
        var small: [Float] = [0.1, 0.1]
        XCTAssertEqual(clipGradientNorm(&small, maxNorm: 1), Double((Float(0.1) * Float(0.1) * 2).squareRoot()), accuracy: 1e-7)
        XCTAssertEqual(small, [0.1, 0.1])
    }
}
