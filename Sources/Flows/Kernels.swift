// Small element-wise loops of the networks as free functions with pre-specialised Float and Double entry
// points: the generic classes that call them are not specialised across module boundaries, and an
// unspecialised `+=` on a generic scalar costs a witness-table call per element.
import Numerics

/// Every row of z (n × width) := bias.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func fillRows<T: GEMMScalar>(_ z: UnsafeMutablePointer<T>, rows n: Int, width: Int, with bias: UnsafePointer<T>) {
    for r in 0..<n {
        let row = z + r &* width
        for j in 0..<width { row[j] = bias[j] }
    }
}

/// g[j] += Σ_r dz[r, j] for a n × width matrix dz.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func accumulateColumnSums<T: GEMMScalar>(_ dz: UnsafePointer<T>, rows n: Int, width: Int, into g: UnsafeMutablePointer<T>) {
    for r in 0..<n {
        let row = dz + r &* width
        for j in 0..<width { g[j] += row[j] }
    }
}

/// One Adam update on raw buffers (see `Adam.step`).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func adamUpdate<T: GEMMScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>,
                               _ v: UnsafeMutablePointer<T>, count: Int, beta1: Double, beta2: Double,
                               alpha: Double, epsilon: Double) {
    let b1 = T(beta1), b2 = T(beta2), c1 = T(1 - beta1), c2 = T(1 - beta2), a = T(alpha), eps = T(epsilon)
    for i in 0..<count {
        let gi = g[i]
        let mi = b1 * m[i] + c1 * gi
        let vi = b2 * v[i] + c2 * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] -= a * mi / (vi.squareRoot() + eps)
    }
}
