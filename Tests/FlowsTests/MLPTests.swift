import XCTest
import Numerics
@testable import Flows

final class MLPTests: XCTestCase {
    /// Loss L = Σ c ⊙ MLP(x): every parameter and input gradient against a central finite difference.
    func checkGradients(_ act: Activation, hidden: [Int] = [7, 5], file: StaticString = #filePath, line: UInt = #line) {
        var rng = RandomStream(seed: 11)
        let mlp = MLP<Double>(inputs: 3, hidden: hidden, outputs: 4, activation: act, zeroInitLastLayer: false, rng: &rng)
        let n = 6
        let x = MatrixD(rows: n, cols: 3, storage: (0..<(n * 3)).map { _ in 2 * rng.uniform() - 1 })
        let c = MatrixD(rows: n, cols: 4, storage: (0..<(n * 4)).map { _ in rng.normal() })
        func loss(_ m: MLP<Double>, _ x: MatrixD) -> Double {
            let y = m.forward(x)
            return zip(y.storage, c.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
        _ = mlp.forward(x)
        mlp.zeroGradients()
        let dx = mlp.backward(c)
        // Accumulation: a second backward doubles the gradients.
        let g1 = mlp.gradients
        _ = mlp.forward(x)
        _ = mlp.backward(c)
        for i in g1.indices { XCTAssertEqual(mlp.gradients[i], 2 * g1[i], accuracy: 1e-12 * (1 + abs(g1[i])), file: file, line: line) }

        let h = 1e-6
        var p = mlp.parameters
        for i in p.indices {
            let keep = p[i]
            p[i] = keep + h; mlp.parameters = p; let lp = loss(mlp, x)
            p[i] = keep - h; mlp.parameters = p; let lm = loss(mlp, x)
            p[i] = keep; mlp.parameters = p
            let fd = (lp - lm) / (2 * h)
            XCTAssertEqual(g1[i], fd, accuracy: 1e-4 * abs(fd) + 1e-7, "\(act) parameter \(i)", file: file, line: line)
        }
        for i in x.storage.indices {
            var xp = x, xm = x
            xp.storage[i] += h; xm.storage[i] -= h
            let fd = (loss(mlp, xp) - loss(mlp, xm)) / (2 * h)
            XCTAssertEqual(dx.storage[i], fd, accuracy: 1e-4 * abs(fd) + 1e-7, "\(act) input \(i)", file: file, line: line)
        }
    }

    func testGradientsReLU() { checkGradients(.relu) }
    func testGradientsLeakyReLU() { checkGradients(.leakyReLU(slope: 0.1)) }
    func testGradientsGELU() { checkGradients(.gelu) }
    func testGradientsSiLU() { checkGradients(.silu) }
    func testGradientsLinearAndDeep() {
        checkGradients(.relu, hidden: [])
        checkGradients(.gelu, hidden: [4, 6, 3, 5])
    }

    func testActivationValues() {
        // GELU(1) with the tanh approximation: 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411920...
        var rng = RandomStream(seed: 1)
        let m = MLP<Double>(inputs: 1, hidden: [1], outputs: 1, activation: .gelu, zeroInitLastLayer: false, rng: &rng)
        m.parameters = [1, 0, 1, 0]  // W1 = 1, b1 = 0, W2 = 1, b2 = 0
        XCTAssertEqual(m.forward(MatrixD(rows: 1, cols: 1, storage: [1])).storage[0], 0.841191990, accuracy: 1e-8)
        let s = MLP<Double>(inputs: 1, hidden: [1], outputs: 1, activation: .silu, zeroInitLastLayer: false, rng: &rng)
        s.parameters = [1, 0, 1, 0]
        XCTAssertEqual(s.forward(MatrixD(rows: 1, cols: 1, storage: [2])).storage[0], 2 / (1 + exp(-2.0)), accuracy: 1e-12)
        let l = MLP<Double>(inputs: 1, hidden: [1], outputs: 1, activation: .leakyReLU(slope: 0.01), zeroInitLastLayer: false, rng: &rng)
        l.parameters = [1, 0, 1, 0]
        XCTAssertEqual(l.forward(MatrixD(rows: 1, cols: 1, storage: [-3])).storage[0], -0.03, accuracy: 1e-15)
    }

    func testZeroInitLastLayerGivesZeroOutputAndFloatWorks() {
        var rng = RandomStream(seed: 3)
        let m = MLP<Float>(inputs: 4, hidden: [16, 16], outputs: 5, activation: .relu, zeroInitLastLayer: true, rng: &rng)
        XCTAssertEqual(m.parameterCount, 4 * 16 + 16 + 16 * 16 + 16 + 16 * 5 + 5)
        let x = MatrixF(rows: 9, cols: 4, storage: (0..<36).map { _ in rng.uniformFloat() })
        XCTAssertEqual(m.forward(x).storage, [Float](repeating: 0, count: 45))
        // Gradients still flow into the zero last layer.
        _ = m.backward(MatrixF(rows: 9, cols: 5, repeating: 1))
        XCTAssertGreaterThan(m.gradients.map { abs($0) }.max()!, 0)
        XCTAssertThrowsError(try m.load(parameters: [1, 2, 3]))
        // An empty batch is a no-op, not a crash.
        XCTAssertEqual(m.forward(MatrixF(rows: 0, cols: 4)).rows, 0)
        XCTAssertEqual(m.backward(MatrixF(rows: 0, cols: 5)).rows, 0)
    }

    func testSameSeedSameInitialisation() {
        var a = RandomStream(seed: 99), b = RandomStream(seed: 99)
        let m1 = MLP<Double>(inputs: 3, hidden: [8], outputs: 2, activation: .gelu, zeroInitLastLayer: false, rng: &a)
        let m2 = MLP<Double>(inputs: 3, hidden: [8], outputs: 2, activation: .gelu, zeroInitLastLayer: false, rng: &b)
        XCTAssertEqual(m1.parameters, m2.parameters)
        // Kaiming: the hidden weights have variance ≈ 2/fan_in.
        var r = RandomStream(seed: 5)
        let big = MLP<Double>(inputs: 200, hidden: [200], outputs: 1, activation: .relu, zeroInitLastLayer: false, rng: &r)
        let w = big.parameters[0..<(200 * 200)]
        let variance = w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
        XCTAssertEqual(variance, 2.0 / 200, accuracy: 0.05 * 2.0 / 200)
    }
}
