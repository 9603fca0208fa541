// Row loops of one coupling block (gather the conditioning inputs, apply the splines, backprop through them),
// pre-specialised for Float and Double like the other kernels.
import Numerics

/// Geometry of one coupling block shared by its kernels.
struct CouplingLayout {
    var dimension: Int
    /// Dimensions the block transforms / that condition it (the network inputs, followed by the external condition).
    var transformed: [Int]
    var conditioning: [Int]
    var conditionDimension: Int
    var spline: SplineConstraints

    var netInputs: Int { conditioning.count &+ conditionDimension }
    var netOutputs: Int { transformed.count &* spline.parameterCount }
}

/// net[i, :] = (x[i, conditioning...], condition[i, :]).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func gatherNetInput<T: GEMMScalar>(_ L: CouplingLayout, x: UnsafePointer<T>, condition: UnsafePointer<T>?, rows n: Int,
                                   into net: UnsafeMutablePointer<T>) {
    let d = L.dimension, k = L.netInputs, nc = L.conditioning.count, cd = L.conditionDimension
    L.conditioning.withUnsafeBufferPointer { cond in
        for i in 0..<n {
            let row = net + i &* k, xr = x + i &* d
            for j in 0..<nc { row[j] = xr[cond[j]] }
            if let condition {
                let cr = condition + i &* cd
                for j in 0..<cd { row[nc &+ j] = cr[j] }
            }
        }
    }
}

/// Density direction: x[i, transformed] ← spline(x), logDet[i] += Σ log spline'. With `cacheProbabilities`
/// the width/height entries of `raw` are replaced by their softmax probabilities for `couplingBackward`.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func couplingForward<T: GEMMScalar>(_ L: CouplingLayout, raw: UnsafeMutablePointer<T>, x: UnsafeMutablePointer<T>, rows n: Int,
                                    logDet: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>,
                                    cacheProbabilities: Bool) {
    let d = L.dimension, np = L.spline.parameterCount, P = L.netOutputs
    L.transformed.withUnsafeBufferPointer { tr in
        for i in 0..<n {
            var acc = 0.0
            for j in 0..<tr.count {
                let idx = i &* d &+ tr[j]
                let params = raw + (i &* P &+ j &* np)
                let r = cacheProbabilities
                    ? splineForwardCachingProbabilities(params, L.spline, x: Double(x[idx]), scratch: scratch)
                    : splineForward(UnsafePointer(params), L.spline, x: Double(x[idx]), scratch: scratch)
                x[idx] = T(r.y)
                acc += r.logDerivative
            }
            logDet[i] += acc
        }
    }
}

/// Sampling direction: y[i, transformed] ← spline⁻¹(y), logDet[i] += Σ log spline' (at the returned point).
/// With `cacheProbabilities`, `raw` is left as `couplingForward(cacheProbabilities: true)` leaves it.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func couplingInverse<T: GEMMScalar>(_ L: CouplingLayout, raw: UnsafeMutablePointer<T>, y: UnsafeMutablePointer<T>, rows n: Int,
                                    logDet: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>,
                                    cacheProbabilities: Bool) {
    let d = L.dimension, np = L.spline.parameterCount, P = L.netOutputs
    L.transformed.withUnsafeBufferPointer { tr in
        for i in 0..<n {
            var acc = 0.0
            for j in 0..<tr.count {
                let idx = i &* d &+ tr[j]
                let params = raw + (i &* P &+ j &* np)
                let r = cacheProbabilities
                    ? splineInverseCachingProbabilities(params, L.spline, y: Double(y[idx]), scratch: scratch)
                    : splineInverse(UnsafePointer(params), L.spline, y: Double(y[idx]), scratch: scratch)
                y[idx] = T(r.x)
                acc += r.logDerivative
            }
            logDet[i] += acc
        }
    }
}

/// Backward through the splines of one block (`raw` as left by the caching forward or inverse). `gradX` (n × d,
/// Double) holds ∂L/∂(block output) on entry and ∂L/∂(block input) for the transformed columns on exit; gl[i] = ∂L/∂logDet[i]. Writes ∂L/∂raw into dRaw.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func couplingBackward<T: GEMMScalar>(_ L: CouplingLayout, raw: UnsafePointer<T>, x: UnsafePointer<T>, rows n: Int,
                                     gradX: UnsafeMutablePointer<Double>, gl: UnsafePointer<T>,
                                     dRaw: UnsafeMutablePointer<T>, scratch: UnsafeMutablePointer<Double>) {
    let d = L.dimension, np = L.spline.parameterCount, P = L.netOutputs
    L.transformed.withUnsafeBufferPointer { tr in
        for i in 0..<n {
            let g = Double(gl[i])
            for j in 0..<tr.count {
                let idx = i &* d &+ tr[j]
                let off = i &* P &+ j &* np
                gradX[idx] = splineBackward(cachedProbabilities: raw + off, L.spline, x: Double(x[idx]), gy: gradX[idx],
                                            gl: g, dRaw: dRaw + off, scratch: scratch)
            }
        }
    }
}

/// gradX[i, conditioning[j]] += dNet[i, j] (the network's input gradient flows back to the conditioning dimensions).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func scatterNetInputGradient<T: GEMMScalar>(_ L: CouplingLayout, dNet: UnsafePointer<T>, rows n: Int,
                                            gradX: UnsafeMutablePointer<Double>) {
    let d = L.dimension, k = L.netInputs, nc = L.conditioning.count
    L.conditioning.withUnsafeBufferPointer { cond in
        for i in 0..<n {
            for j in 0..<nc { gradX[i &* d &+ cond[j]] += Double(dNet[i &* k &+ j]) }
        }
    }
}
