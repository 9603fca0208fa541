import Foundation
import Numerics
@testable import Flows

/// A flow whose parameters (including the zero-initialised last layers) are perturbed with Gaussian noise,
/// so it is far from the identity and every parameter matters.
func perturbedFlow<T: GEMMScalar>(_ type: T.Type = T.self, dimension: Int, conditionDimension: Int = 0,
                                  config: FlowConfig, seed: UInt64, noise: Double = 0.1) -> CouplingFlow<T> {
    let flow = CouplingFlow<T>(dimension: dimension, conditionDimension: conditionDimension, config: config, seed: seed)
    var rng = RandomStream(seed: seed, stream: 77)
    flow.parameters = flow.parameters.map { $0 + T(noise * rng.normal()) }
    return flow
}

func uniformMatrix<T: GEMMScalar>(_ type: T.Type = T.self, rows: Int, cols: Int, rng: inout RandomStream) -> Matrix<T> {
    Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in T(rng.uniform()) })
}

/// Mean and standard error of the mean.
func meanAndError(_ v: [Double]) -> (mean: Double, error: Double) {
    let n = Double(v.count)
    let m = v.reduce(0, +) / n
    let var_ = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
    return (m, (var_ / n).squareRoot())
}

/// log|det A| of a small square matrix by Gaussian elimination with partial pivoting.
func logAbsDeterminant(_ a: [[Double]]) -> Double {
    var m = a
    let n = m.count
    var logDet = 0.0
    for c in 0..<n {
        let p = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
        m.swapAt(c, p)
        let piv = m[c][c]
        logDet += log(abs(piv))
        for r in (c + 1)..<n {
            let f = m[r][c] / piv
            for k in c..<n { m[r][k] -= f * m[c][k] }
        }
    }
    return logDet
}
