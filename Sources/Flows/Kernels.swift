// Small element-wise loops of the networks as free functions with pre-specialised Float and Double entry
// points: the generic classes that call them are not specialised across module boundaries, and an
// unspecialised `+=` on a generic scalar costs a witness-table call per element.
import Numerics

/// a (n × (width+1)) := [x 1] for x (n × width), or a column of ones when x is nil.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func copyRowsAppendingOne<T: GEMMScalar>(_ x: UnsafePointer<T>?, rows n: Int, width: Int, into a: UnsafeMutablePointer<T>) {
    let stride = width &+ 1
    for r in 0..<n {
        let row = a + r &* stride
        if let x {
            let src = x + r &* width
            for j in 0..<width { row[j] = src[j] }
        }
        row[width] = 1
    }
}

/// a (n × (width+1)) := [act(z) 1] for the pre-activations z (n × width).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func applyActivationAppendingOne<T: GEMMScalar>(_ act: Activation, z: UnsafePointer<T>, rows n: Int, width: Int,
                                                a: UnsafeMutablePointer<T>) {
    let stride = width &+ 1
    for r in 0..<n {
        applyActivation(act, z: z + r &* width, a: a + r &* stride, count: width)
        a[r &* stride &+ width] = 1
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
