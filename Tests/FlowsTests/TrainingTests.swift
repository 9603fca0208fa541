import XCTest
import Foundation
import Numerics
@testable import Flows

final class TrainingTests: XCTestCase {
    /// On-policy variance-loss training (as in MadNIS): with x ~ q and w = f/q held fixed,
    /// ∇Var_q(w) = −E_q[w² ∇log q], so dL/dlog q_i = −w_i² (normalised by Σw² for a scale-free step).
    func testVarianceTrainingOnGaussianPeakReducesVariance() {
        let mu = (0.35, 0.6), sigma = 0.08
        func f(_ x: MatrixD) -> [Double] {
            (0..<x.rows).map { i in
                let a = (x[i, 0] - mu.0) / sigma, b = (x[i, 1] - mu.1) / sigma
                return exp(-0.5 * (a * a + b * b))
            }
        }
        func relativeVariance(_ flow: CouplingFlow<Float>?, points n: Int = 6000, rng: inout RandomStream) -> (relVar: Double, estimate: Double, error: Double) {
            let r = uniformMatrix(Float.self, rows: n, cols: 2, rng: &rng)
            var w: [Double]
            if let flow {
                let s = flow.sample(latent: r)
                let x = MatrixD(rows: n, cols: 2, storage: s.x.storage.map(Double.init))
                w = zip(f(x), s.logDensity).map { $0 / exp(Double($1)) }
            } else {
                w = f(MatrixD(rows: n, cols: 2, storage: r.storage.map(Double.init)))
            }
            let (m, e) = meanAndError(w)
            return (e * e * Double(w.count) / (m * m), m, e)
        }
        let flow = CouplingFlow<Float>(dimension: 2, config: FlowConfig(bins: 8, hiddenLayers: 2, hiddenUnits: 16), seed: 1)
        var adam = Adam<Float>(learningRate: 5e-3)
        var rng = RandomStream(seed: 2)
        let steps = 150, batch = 256
        for step in 0..<steps {
            adam.learningRate = LearningRateSchedule.cosine(totalSteps: steps, minimum: 5e-4).rate(base: 5e-3, step: step)
            let s = flow.sample(latent: uniformMatrix(Float.self, rows: batch, cols: 2, rng: &rng))
            let fx = f(MatrixD(rows: batch, cols: 2, storage: s.x.storage.map(Double.init)))
            let w2 = zip(fx, s.logDensity).map { pow($0 / exp(Double($1)), 2) }
            let norm = w2.reduce(0, +)
            flow.zeroGradients()
            _ = flow.logDensity(s.x)
            flow.backwardLogDensity(w2.map { Float(-$0 / norm) })
            var g = flow.gradients
            clipGradientNorm(&g, maxNorm: 10)
            var p = flow.parameters
            adam.step(parameters: &p, gradients: g)
            flow.parameters = p
        }
        var check = RandomStream(seed: 3)
        let before = relativeVariance(nil, rng: &check)
        let after = relativeVariance(flow, points: 20_000, rng: &check)
        // Uniform sampling: Var(f)/⟨f⟩² = (∫f²)/(∫f)² − 1 ≈ 1/(4πσ²) − 1 ≈ 11.4 for this peak.
        XCTAssertEqual(before.relVar, 1 / (4 * Double.pi * sigma * sigma) - 1, accuracy: 2.5)
        XCTAssertLessThan(after.relVar, before.relVar / 20, "relative variance \(before.relVar) → \(after.relVar)")
        // The trained sampler still estimates the right integral: 2πσ² (the peak lies well inside the square).
        XCTAssertEqual(after.estimate, 2 * Double.pi * sigma * sigma, accuracy: 4 * after.error)
    }
}
