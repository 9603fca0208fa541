import XCTest
import Numerics
@testable import Flows

final class CouplingFlowTests: XCTestCase {
    let small = FlowConfig(bins: 6, hiddenLayers: 2, hiddenUnits: 8, activation: .leakyReLU(slope: 0.01))

    func testFreshFlowIsIdentity() {
        let flow = CouplingFlow<Double>(dimension: 5, config: FlowConfig(), seed: 1)
        XCTAssertEqual(flow.blockCount, 6)  // 2⌈log₂ 5⌉
        var rng = RandomStream(seed: 2)
        let x = uniformMatrix(Double.self, rows: 50, cols: 5, rng: &rng)
        let (r, logDet) = flow.inverse(x)
        for i in x.storage.indices { XCTAssertEqual(r.storage[i], x.storage[i], accuracy: 1e-14) }
        for l in logDet { XCTAssertEqual(l, 0, accuracy: 1e-13) }
        let s = flow.sample(latent: x)
        for i in x.storage.indices { XCTAssertEqual(s.x.storage[i], x.storage[i], accuracy: 1e-14) }
    }

    func testLogMasksCoverEveryDimensionBothWays() {
        for d in 2...9 {
            let masks = FlowConfig().transformedDimensions(dimension: d)
            let bits = Int(ceil(log2(Double(d))))
            XCTAssertEqual(masks.count, 2 * bits)
            // Every pair of dimensions is split by some block (so each can condition the other).
            for i in 0..<d { for j in 0..<d where i != j {
                XCTAssertTrue(masks.contains { $0.contains(i) && !$0.contains(j) }, "d=\(d): \(i) never conditioned on \(j)")
            } }
        }
        XCTAssertEqual(FlowConfig(permutations: .exchange).transformedDimensions(dimension: 4), [[2, 3], [0, 1], [2, 3], [0, 1]])
        let r = FlowConfig(couplingBlocks: 4, permutations: .random(seed: 3)).transformedDimensions(dimension: 6)
        XCTAssertEqual(r.count, 4)
        XCTAssertEqual(Set(r[0]).union(r[1]), Set(0..<6))
        XCTAssertEqual(r[0].count, 3)
        XCTAssertEqual(FlowConfig(couplingBlocks: 4, permutations: .random(3)).transformedDimensions(dimension: 6), r)
        XCTAssertNotEqual(FlowConfig(couplingBlocks: 4, permutations: .random(4)).transformedDimensions(dimension: 6), r)
    }

    /// The gradient-free passes run in slices of `inferenceSliceRows`: rows must come back in order and with the
    /// values small batches give (and the training pass, which is not sliced, agrees).
    func testSlicedPassesMatchSmallBatches() {
        let n = 2 * inferenceSliceRows + 123, d = 7, cd = 1
        let flow = perturbedFlow(Float.self, dimension: d, conditionDimension: cd, config: FlowConfig(bins: 8), seed: 9)
        var rng = RandomStream(seed: 10)
        let x = uniformMatrix(Float.self, rows: n, cols: d, rng: &rng)
        let cond = uniformMatrix(Float.self, rows: n, cols: cd, rng: &rng)
        let whole = flow.inverse(x, condition: cond)
        let drawn = flow.sample(latent: x, condition: cond)
        let trained = flow.logDensity(x, condition: cond)
        XCTAssertEqual(whole.r.rows, n)
        XCTAssertEqual(whole.logDetJ.count, n)
        XCTAssertEqual(drawn.x.rows, n)
        // Small batches agree up to the GEMMs' last-bit rounding, which depends on the row count.
        func close(_ a: ArraySlice<Float>, _ b: [Float], _ what: String) {
            XCTAssertEqual(a.count, b.count, what)
            let worst = zip(a, b).map { abs(Double($0) - Double($1)) / max(1, abs(Double($1))) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4, what)
        }
        let piece = 500
        for start in stride(from: 0, to: n, by: piece) {
            let end = min(start + piece, n)
            let xs = Matrix(rows: end - start, cols: d, storage: Array(x.storage[(start * d)..<(end * d)]))
            let cs = Matrix(rows: end - start, cols: cd, storage: Array(cond.storage[(start * cd)..<(end * cd)]))
            let part = flow.inverse(xs, condition: cs)
            let partDrawn = flow.sample(latent: xs, condition: cs)
            close(whole.r.storage[(start * d)..<(end * d)], part.r.storage, "r, rows \(start)..<\(end)")
            close(whole.logDetJ[start..<end], part.logDetJ, "log det, rows \(start)..<\(end)")
            close(drawn.x.storage[(start * d)..<(end * d)], partDrawn.x.storage, "x, rows \(start)..<\(end)")
            close(drawn.logDensity[start..<end], partDrawn.logDensity, "log q, rows \(start)..<\(end)")
        }
        for i in 0..<n { XCTAssertEqual(Double(whole.logDetJ[i]), Double(trained[i]), accuracy: 1e-4) }
        XCTAssertGreaterThan(whole.logDetJ.map { abs(Double($0)) }.max() ?? 0, 0.3, "perturbed flow should not be the identity")
    }

    func roundTrip<T: GEMMScalar>(_ type: T.Type, tolerance: Double, logTolerance: Double) {
        for (d, cd) in [(1, 0), (2, 0), (3, 2), (4, 0), (7, 1)] {
            let flow = perturbedFlow(T.self, dimension: d, conditionDimension: cd, config: FlowConfig(bins: 8), seed: 5)
            var rng = RandomStream(seed: 6)
            let r = uniformMatrix(T.self, rows: 300, cols: d, rng: &rng)
            let cond: Matrix<T>? = cd > 0 ? uniformMatrix(T.self, rows: 300, cols: cd, rng: &rng) : nil
            let s = flow.sample(latent: r, condition: cond)
            let back = flow.inverse(s.x, condition: cond)
            let lq = flow.logDensity(s.x, condition: cond)
            var maxLog = 0.0
            for i in r.storage.indices {
                XCTAssertEqual(Double(back.r.storage[i]), Double(r.storage[i]), accuracy: tolerance, "d=\(d) \(T.self)")
                XCTAssertTrue(s.x.storage[i] >= 0 && s.x.storage[i] <= 1)
            }
            for i in 0..<300 {
                XCTAssertEqual(Double(lq[i]), Double(s.logDensity[i]), accuracy: logTolerance, "d=\(d) \(T.self)")
                XCTAssertEqual(Double(back.logDetJ[i]), Double(lq[i]), accuracy: 1e-12)
                maxLog = max(maxLog, abs(Double(lq[i])))
            }
            XCTAssertGreaterThan(maxLog, 0.3, "perturbed flow should not be the identity")
            XCTAssertLessThan(maxLog, 20, "perturbation too strong for a meaningful test")
        }
    }

    func testRoundTripDouble() { roundTrip(Double.self, tolerance: 1e-6, logTolerance: 1e-6) }
    func testRoundTripFloat() { roundTrip(Float.self, tolerance: 1e-4, logTolerance: 2e-3) }

    func testLogDensityEqualsNumericalJacobian() {
        for d in [3, 4] {
            let flow = perturbedFlow(Double.self, dimension: d, config: FlowConfig(bins: 7), seed: 9)
            var rng = RandomStream(seed: 10)
            for _ in 0..<10 {
                let x = (0..<d).map { _ in 0.02 + 0.96 * rng.uniform() }
                let lq = flow.logDensity(MatrixD(rows: 1, cols: d, storage: x))[0]
                let h = 1e-6
                var jac = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
                for j in 0..<d {
                    var xp = x, xm = x
                    xp[j] += h; xm[j] -= h
                    let rp = flow.inverse(MatrixD(rows: 1, cols: d, storage: xp)).r.storage
                    let rm = flow.inverse(MatrixD(rows: 1, cols: d, storage: xm)).r.storage
                    for i in 0..<d { jac[i][j] = (rp[i] - rm[i]) / (2 * h) }
                }
                XCTAssertEqual(lq, logAbsDeterminant(jac), accuracy: 1e-6, "d=\(d)")
            }
        }
    }

    /// ∂/∂θ of Σ c_i log q(x_i) from backwardLogDensity against central finite differences, for every parameter.
    func checkParameterGradients(dimension d: Int, conditionDimension cd: Int, config: FlowConfig) {
        let flow = perturbedFlow(Double.self, dimension: d, conditionDimension: cd, config: config, seed: 21)
        var rng = RandomStream(seed: 22)
        let n = 7
        let x = uniformMatrix(Double.self, rows: n, cols: d, rng: &rng)
        let cond: MatrixD? = cd > 0 ? uniformMatrix(Double.self, rows: n, cols: cd, rng: &rng) : nil
        let c = (0..<n).map { _ in rng.normal() }
        func loss() -> Double { zip(flow.inverse(x, condition: cond).logDetJ, c).reduce(0) { $0 + $1.0 * $1.1 } }
        flow.zeroGradients()
        _ = flow.logDensity(x, condition: cond)
        flow.backwardLogDensity(c)
        let g = flow.gradients
        var p = flow.parameters
        let h = 1e-6
        var checked = 0, nonzero = 0
        for i in p.indices {
            let keep = p[i]
            p[i] = keep + h; flow.parameters = p; let lp = loss()
            p[i] = keep - h; flow.parameters = p; let lm = loss()
            p[i] = keep; flow.parameters = p
            let fd = (lp - lm) / (2 * h)
            XCTAssertEqual(g[i], fd, accuracy: 1e-4 * abs(fd) + 1e-7, "parameter \(i) of \(p.count)")
            checked += 1
            if abs(fd) > 1e-6 { nonzero += 1 }
        }
        XCTAssertEqual(checked, flow.parameterCount)
        XCTAssertGreaterThan(nonzero, flow.parameterCount / 2)
    }

    func testParameterGradientsAllParameters() {
        checkParameterGradients(dimension: 4, conditionDimension: 0, config: small)
    }

    func testParameterGradientsWithCondition() {
        checkParameterGradients(dimension: 3, conditionDimension: 2,
                                config: FlowConfig(bins: 5, hiddenLayers: 2, hiddenUnits: 6, activation: .silu))
    }

    func testParameterGradientsOneDimensionAndExchangeMasks() {
        checkParameterGradients(dimension: 1, conditionDimension: 0, config: small)
        var cfg = small
        cfg.permutations = .exchange
        cfg.couplingBlocks = 3
        checkParameterGradients(dimension: 5, conditionDimension: 1, config: cfg)
    }

    func testPerturbedDensityIsNormalised() {
        let flow = perturbedFlow(Double.self, dimension: 2, config: FlowConfig(bins: 8), seed: 31)
        var rng = RandomStream(seed: 32)
        let n = 8_000
        // E_uniform[q(x)] = ∫ q = 1.
        let x = uniformMatrix(Double.self, rows: n, cols: 2, rng: &rng)
        let q = flow.logDensity(x).map { exp($0) }
        let (m, e) = meanAndError(q)
        XCTAssertEqual(m, 1, accuracy: 4 * e)
        XCTAssertGreaterThan(e, 0.003, "the flow should be far from uniform")
        // E_q[1/q(x)] = ∫ 1 dx = 1.
        let s = flow.sample(latent: uniformMatrix(Double.self, rows: n, cols: 2, rng: &rng))
        let (m2, e2) = meanAndError(s.logDensity.map { exp(-$0) })
        XCTAssertEqual(m2, 1, accuracy: 4 * e2)
    }

    /// The Float flow (bin probabilities cached in single precision) gives the gradients of the Double flow.
    func testFloatGradientsAgreeWithDouble() {
        let fd = perturbedFlow(Double.self, dimension: 4, conditionDimension: 1, config: FlowConfig(bins: 8), seed: 41)
        let ff = CouplingFlow<Float>(dimension: 4, conditionDimension: 1, config: FlowConfig(bins: 8), seed: 41)
        ff.parameters = fd.parameters.map { Float($0) }
        fd.parameters = ff.parameters.map { Double($0) }
        var rng = RandomStream(seed: 42)
        let x = uniformMatrix(Double.self, rows: 64, cols: 4, rng: &rng)
        let c = uniformMatrix(Double.self, rows: 64, cols: 1, rng: &rng)
        let w = (0..<64).map { _ in rng.normal() }
        let ld = fd.logDensity(x, condition: c)
        let lf = ff.logDensity(MatrixF(rows: 64, cols: 4, storage: x.storage.map(Float.init)),
                               condition: MatrixF(rows: 64, cols: 1, storage: c.storage.map(Float.init)))
        for i in 0..<64 { XCTAssertEqual(Double(lf[i]), ld[i], accuracy: 1e-4 * max(1, abs(ld[i]))) }
        fd.backwardLogDensity(w)
        ff.backwardLogDensity(w.map(Float.init))
        let gd = fd.gradients, gf = ff.gradients
        let scale = gd.map(abs).max()!
        for i in gd.indices { XCTAssertEqual(Double(gf[i]), gd[i], accuracy: 1e-3 * scale, "parameter \(i)") }
    }

    func testConfigurationValidation() {
        XCTAssertNoThrow(try FlowConfig().validate(dimension: 3))
        XCTAssertThrowsError(try FlowConfig(bins: 0).validate(dimension: 3))
        XCTAssertThrowsError(try FlowConfig(bins: 10, minBinWidth: 0.2).validate(dimension: 3))
        XCTAssertThrowsError(try FlowConfig(minDerivative: 0).validate(dimension: 3))
        XCTAssertThrowsError(try FlowConfig().validate(dimension: 0)) { error in
            XCTAssertTrue("\(error)".contains("dimension"))
        }
    }

    func testSameSeedIsBitIdentical() {
        let a = CouplingFlow<Float>(dimension: 4, config: FlowConfig(), seed: 77)
        let b = CouplingFlow<Float>(dimension: 4, config: FlowConfig(), seed: 77)
        let c = CouplingFlow<Float>(dimension: 4, config: FlowConfig(), seed: 78)
        XCTAssertEqual(a.parameters, b.parameters)
        XCTAssertNotEqual(a.parameters, c.parameters)
        let pa = perturbedFlow(Float.self, dimension: 4, config: FlowConfig(), seed: 77)
        let pb = perturbedFlow(Float.self, dimension: 4, config: FlowConfig(), seed: 77)
        var r1 = RandomStream(seed: 5), r2 = RandomStream(seed: 5)
        let s1 = pa.sample(latent: uniformMatrix(Float.self, rows: 64, cols: 4, rng: &r1))
        let s2 = pb.sample(latent: uniformMatrix(Float.self, rows: 64, cols: 4, rng: &r2))
        XCTAssertEqual(s1.x.storage, s2.x.storage)
        XCTAssertEqual(s1.logDensity, s2.logDensity)
    }

    func testSerialisationAndBadInput() throws {
        let a = perturbedFlow(Double.self, dimension: 3, config: small, seed: 3)
        let b = CouplingFlow<Double>(dimension: 3, config: small, seed: 4)
        try b.load(parameters: a.serializedParameters())
        var rng = RandomStream(seed: 1)
        let x = uniformMatrix(Double.self, rows: 10, cols: 3, rng: &rng)
        XCTAssertEqual(a.logDensity(x), b.logDensity(x))
        XCTAssertThrowsError(try b.load(parameters: [1, 2])) { error in
            XCTAssertEqual(error as? FlowError, .parameterCountMismatch(expected: b.parameterCount, got: 2))
        }
        // Empty batches are no-ops.
        XCTAssertEqual(a.logDensity(MatrixD(rows: 0, cols: 3)), [])
        a.backwardLogDensity([])
        XCTAssertEqual(a.sample(latent: MatrixD(rows: 0, cols: 3)).x.rows, 0)
        var bad = a.serializedParameters()
        bad[0] = .nan
        XCTAssertThrowsError(try b.load(parameters: bad))
    }

    /// sampleForTraining + backward gives the gradients of sample → logDensity → backward, without the second pass.
    func testSampleForTrainingGivesLogDensityGradients() {
        for (d, cd) in [(4, 0), (3, 2), (1, 0)] {
            let flow = perturbedFlow(Double.self, dimension: d, conditionDimension: cd, config: FlowConfig(bins: 7), seed: 51)
            var rng = RandomStream(seed: 52)
            let r = uniformMatrix(Double.self, rows: 40, cols: d, rng: &rng)
            let cond: MatrixD? = cd > 0 ? uniformMatrix(Double.self, rows: 40, cols: cd, rng: &rng) : nil
            let w = (0..<40).map { _ in rng.normal() }
            let plain = flow.sample(latent: r, condition: cond)
            flow.zeroGradients()
            let lq = flow.logDensity(plain.x, condition: cond)
            flow.backwardLogDensity(w)
            let reference = flow.gradients
            flow.zeroGradients()
            let s = flow.sampleForTraining(latent: r, condition: cond)
            XCTAssertEqual(s.x.storage, plain.x.storage)
            XCTAssertEqual(s.logDensity, plain.logDensity)
            for i in 0..<40 { XCTAssertEqual(s.logDensity[i], lq[i], accuracy: 1e-9) }
            flow.backwardLogDensity(w)
            let g = flow.gradients
            let scale = reference.map(abs).max()!
            XCTAssertGreaterThan(scale, 0)
            for i in g.indices { XCTAssertEqual(g[i], reference[i], accuracy: 1e-8 * scale, "d=\(d) parameter \(i)") }
        }
    }

    /// Sampling between logDensity and its backward must not disturb the cached state.
    func testSampleDoesNotDisturbBackwardCache() {
        let flow = perturbedFlow(Double.self, dimension: 3, config: small, seed: 12)
        var rng = RandomStream(seed: 13)
        let x = uniformMatrix(Double.self, rows: 16, cols: 3, rng: &rng)
        let c = (0..<16).map { _ in rng.normal() }
        _ = flow.logDensity(x)
        flow.backwardLogDensity(c)
        let g1 = flow.gradients
        flow.zeroGradients()
        _ = flow.logDensity(x)
        _ = flow.sample(latent: uniformMatrix(Double.self, rows: 40, cols: 3, rng: &rng))
        _ = flow.inverse(uniformMatrix(Double.self, rows: 5, cols: 3, rng: &rng))
        flow.backwardLogDensity(c)
        XCTAssertEqual(flow.gradients, g1)
    }
}
