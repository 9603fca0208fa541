// Monotone rational-quadratic spline on [0,1] → [0,1] (Durkan et al., "Neural Spline Flows",
// arXiv:1906.04032, §3.1, eqs. 4–8), with its analytic gradients for the backward pass.
//
// One spline is described by 3B+1 unconstrained numbers, laid out [widths B | heights B | derivatives B+1]:
//   bin width   w_m = minW + (1 − B·minW)·softmax(a)_m        (likewise heights with minH),
//   derivative  δ_k = minD + (1 − minD)·softplus(u_k)/ln 2   so that u = 0 gives δ = 1 exactly.
// All-zero raw parameters therefore give B equal bins with unit derivatives: the identity map.
// The element-wise math runs in Double whatever the storage type, so Float networks keep accurate Jacobians.
import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lower bounds that keep the spline invertible and its Jacobian bounded.
struct SplineConstraints: Sendable {
    var bins: Int
    var minWidth: Double
    var minHeight: Double
    var minDerivative: Double

    var parameterCount: Int { 3 &* bins &+ 1 }
    /// Scratch doubles a spline evaluation needs.
    var scratchCount: Int { 2 &* bins }

    // Knot derivatives use softplus(u)/ln 2, which is exactly 1 at u = 0. An algebraic soft-plus
    // (u + √(u² + 4))/2 saves the exp/log1p but measurably lowered trained efficiencies (4-D Gaussian
    // mixture: 0.556 → 0.448 at equal settings): its slower decay for u < 0 lets knot derivatives collapse less
    // sharply where the density must drop, so the cheaper form is not used.
    @inline(__always) func derivative(_ u: Double) -> Double {
        minDerivative + (1 - minDerivative) * softplus(u) / M_LN2
    }
    /// dδ/du.
    @inline(__always) func derivativeSlope(_ u: Double) -> Double {
        (1 - minDerivative) / M_LN2 / (1 + fastExp(-u))
    }
    /// The raw u giving derivative δ (inverse of `derivative`).
    func rawDerivative(for delta: Double) -> Double {
        let s = max(delta - minDerivative, 1e-12) * M_LN2 / (1 - minDerivative)
        return s > 30 ? s + log(-expm1(-s)) : log(expm1(s))
    }
}

@inline(__always) func softplus(_ u: Double) -> Double { max(u, 0) + log1p(fastExp(-abs(u))) }

/// Softmax of n raw values into p (sum 1).
@inline(__always)
func softmax<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ n: Int, into p: UnsafeMutablePointer<Double>) {
    var m = -Double.infinity
    for i in 0..<n { m = max(m, Double(raw[i])) }
    for i in 0..<n { p[i] = fastExp(Double(raw[i]) - m) }
    var s = 0.0
    for i in 0..<n { s += p[i] }
    let inv = 1 / s
    for i in 0..<n { p[i] *= inv }
}

/// The bin's geometry: left knot (xk, yk), width w, height h and knot derivatives d0, d1.
struct SplineBin {
    var k: Int
    var xk: Double, w: Double
    var yk: Double, h: Double
    var d0: Double, d1: Double
}

/// Locate the bin of `v` along the widths (or the heights when `alongHeights`), from the probabilities in `p`
/// (p[0..<B] widths, p[B..<2B] heights), and fill in the bin geometry.
@inline(__always)
func locateBin<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ c: SplineConstraints, _ p: UnsafePointer<Double>,
                              value v: Double, alongHeights: Bool) -> SplineBin {
    let B = c.bins
    let sw = 1 - Double(B) * c.minWidth, sh = 1 - Double(B) * c.minHeight
    var k = 0, xk = 0.0, yk = 0.0
    var w = c.minWidth + sw * p[0], h = c.minHeight + sh * p[B]
    while k < B &- 1 {
        let edge = alongHeights ? yk + h : xk + w
        if v < edge { break }
        xk += w; yk += h
        k &+= 1
        w = c.minWidth + sw * p[k]; h = c.minHeight + sh * p[B &+ k]
    }
    // The last knot is (1, 1) exactly, whatever the rounding of the cumulative sums.
    if k == B &- 1 { w = 1 - xk; h = 1 - yk }
    let off = 2 &* B &+ k
    return SplineBin(k: k, xk: xk, w: w, yk: yk, h: h,
                     d0: c.derivative(Double(raw[off])), d1: c.derivative(Double(raw[off &+ 1])))
}

/// y(x) and log dy/dx of the spline with raw parameters `raw` (Durkan et al. eqs. 4–5).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func splineForward<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ c: SplineConstraints, x: Double,
                                  scratch p: UnsafeMutablePointer<Double>) -> (y: Double, logDerivative: Double) {
    softmax(raw, c.bins, into: p)
    softmax(raw + c.bins, c.bins, into: p + c.bins)
    return splineForwardCore(raw, c, x: x, p)
}

/// `splineForward` that also overwrites the 2B raw width/height parameters with their softmax probabilities,
/// so the backward pass need not recompute them (see `splineBackward(cachedProbabilities:)`).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func splineForwardCachingProbabilities<T: GEMMScalar>(_ raw: UnsafeMutablePointer<T>, _ c: SplineConstraints, x: Double,
                                                      scratch p: UnsafeMutablePointer<Double>) -> (y: Double, logDerivative: Double) {
    softmax(raw, c.bins, into: p)
    softmax(raw + c.bins, c.bins, into: p + c.bins)
    for i in 0..<(2 &* c.bins) { raw[i] = T(p[i]) }
    return splineForwardCore(UnsafePointer(raw), c, x: x, p)
}

@inline(__always)
func splineForwardCore<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ c: SplineConstraints, x: Double,
                                      _ p: UnsafeMutablePointer<Double>) -> (y: Double, logDerivative: Double) {
    let b = locateBin(raw, c, p, value: x, alongHeights: false)
    let s = b.h / b.w
    let xi = min(max((x - b.xk) / b.w, 0), 1)
    let t = xi * (1 - xi)
    let num = s * xi * xi + b.d0 * t
    let den = s + (b.d0 + b.d1 - 2 * s) * t
    let y = b.yk + b.h * num / den
    let m = b.d1 * xi * xi + 2 * s * t + b.d0 * (1 - xi) * (1 - xi)
    return (y, log(s * s * m / (den * den)))
}

/// Inverse x(y) and log dy/dx at that x (Durkan et al. eqs. 6–8, the cancellation-free root).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func splineInverse<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ c: SplineConstraints, y: Double,
                                  scratch p: UnsafeMutablePointer<Double>) -> (x: Double, logDerivative: Double) {
    softmax(raw, c.bins, into: p)
    softmax(raw + c.bins, c.bins, into: p + c.bins)
    return splineInverseCore(raw, c, y: y, p)
}

/// `splineInverse` that also overwrites the 2B raw width/height parameters with their softmax probabilities
/// (as `splineForwardCachingProbabilities`), so a sampled batch can be back-propagated directly.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func splineInverseCachingProbabilities<T: GEMMScalar>(_ raw: UnsafeMutablePointer<T>, _ c: SplineConstraints, y: Double,
                                                      scratch p: UnsafeMutablePointer<Double>) -> (x: Double, logDerivative: Double) {
    softmax(raw, c.bins, into: p)
    softmax(raw + c.bins, c.bins, into: p + c.bins)
    for i in 0..<(2 &* c.bins) { raw[i] = T(p[i]) }
    return splineInverseCore(UnsafePointer(raw), c, y: y, p)
}

@inline(__always)
func splineInverseCore<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ c: SplineConstraints, y: Double,
                                      _ p: UnsafeMutablePointer<Double>) -> (x: Double, logDerivative: Double) {
    let b = locateBin(raw, c, p, value: y, alongHeights: true)
    let s = b.h / b.w
    let dy = min(max(y - b.yk, 0), b.h)
    let sum = b.d0 + b.d1 - 2 * s
    let qa = b.h * (s - b.d0) + dy * sum
    let qb = b.h * b.d0 - dy * sum
    let qc = -s * dy
    let disc = max(qb * qb - 4 * qa * qc, 0)
    let den0 = -qb - disc.squareRoot()
    let xi = den0 == 0 ? 0 : min(max(2 * qc / den0, 0), 1)
    let t = xi * (1 - xi)
    let den = s + sum * t
    let m = b.d1 * xi * xi + 2 * s * t + b.d0 * (1 - xi) * (1 - xi)
    return (b.xk + xi * b.w, log(s * s * m / (den * den)))
}

/// Backward pass of `splineForward` for upstream gradients gy = ∂L/∂y and gl = ∂L/∂(log dy/dx):
/// writes ∂L/∂raw (3B+1 values, overwritten) and returns ∂L/∂x.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func splineBackward<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ c: SplineConstraints, x: Double, gy: Double, gl: Double,
                                   dRaw: UnsafeMutablePointer<T>, scratch p: UnsafeMutablePointer<Double>) -> Double {
    softmax(raw, c.bins, into: p)
    softmax(raw + c.bins, c.bins, into: p + c.bins)
    return splineBackwardCore(raw, c, x: x, gy: gy, gl: gl, dRaw: dRaw, p)
}

/// `splineBackward` for parameters whose first 2B entries already hold the softmax probabilities
/// (written by `splineForwardCachingProbabilities`).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func splineBackward<T: GEMMScalar>(cachedProbabilities params: UnsafePointer<T>, _ c: SplineConstraints, x: Double,
                                   gy: Double, gl: Double, dRaw: UnsafeMutablePointer<T>,
                                   scratch p: UnsafeMutablePointer<Double>) -> Double {
    for i in 0..<(2 &* c.bins) { p[i] = Double(params[i]) }
    return splineBackwardCore(params, c, x: x, gy: gy, gl: gl, dRaw: dRaw, p)
}

@inline(__always)
func splineBackwardCore<T: GEMMScalar>(_ raw: UnsafePointer<T>, _ c: SplineConstraints, x: Double, gy: Double, gl: Double,
                                       dRaw: UnsafeMutablePointer<T>, _ p: UnsafeMutablePointer<Double>) -> Double {
    let B = c.bins
    let b = locateBin(raw, c, p, value: x, alongHeights: false)
    let s = b.h / b.w
    let xi = min(max((x - b.xk) / b.w, 0), 1)
    let t = xi * (1 - xi)
    let sum = b.d0 + b.d1 - 2 * s
    let num = s * xi * xi + b.d0 * t
    let den = s + sum * t
    let m = b.d1 * xi * xi + 2 * s * t + b.d0 * (1 - xi) * (1 - xi)
    let den2 = den * den
    // Partials of y = yk + h·num/den and ℓ = 2 log s + log m − 2 log den at fixed (ξ, s, h, δ0, δ1).
    let yXi = b.h * s * m / den2
    let yS = b.h * (xi * xi * den - num * (1 - 2 * t)) / den2
    let yH = num / den
    let yD0 = b.h * t * (den - num) / den2
    let yD1 = -b.h * num * t / den2
    let mXi = 2 * b.d1 * xi + 2 * s * (1 - 2 * xi) - 2 * b.d0 * (1 - xi)
    let lXi = mXi / m - 2 * sum * (1 - 2 * xi) / den
    let lS = 2 / s + 2 * t / m - 2 * (1 - 2 * t) / den
    let lD0 = (1 - xi) * (1 - xi) / m - 2 * t / den
    let lD1 = xi * xi / m - 2 * t / den
    let gXi = gy * yXi + gl * lXi
    let gS = gy * yS + gl * lS
    // Chain through s = h/w and ξ = (x − xk)/w.
    let gW = -(gS * s + gXi * xi) / b.w
    let gH = gy * yH + gS / b.w
    let gXk = -gXi / b.w
    let gYk = gy
    // Knots are cumulative sums: x_k = Σ_{m<k} w_m, so ∂L/∂w_m = gXk for m < k and gW for m = k;
    // then through w = minW + (1 − B·minW)·softmax(a): ∂L/∂a_m = (1 − B·minW)·p_m·(g_m − Σ_l p_l g_l).
    let k = b.k
    var pBelowW = 0.0, pBelowH = 0.0
    for i in 0..<k { pBelowW += p[i]; pBelowH += p[B &+ i] }
    let meanW = gXk * pBelowW + gW * p[k]
    let meanH = gYk * pBelowH + gH * p[B &+ k]
    let sw = 1 - Double(B) * c.minWidth, sh = 1 - Double(B) * c.minHeight
    for i in 0..<B {
        let gw = i < k ? gXk : (i == k ? gW : 0)
        let gh = i < k ? gYk : (i == k ? gH : 0)
        dRaw[i] = T(sw * p[i] * (gw - meanW))
        dRaw[B &+ i] = T(sh * p[B &+ i] * (gh - meanH))
    }
    let dOff = 2 &* B
    for i in 0...B { dRaw[dOff &+ i] = 0 }
    dRaw[dOff &+ k] = T((gy * yD0 + gl * lD0) * c.derivativeSlope(Double(raw[dOff &+ k])))
    dRaw[dOff &+ k &+ 1] = T((gy * yD1 + gl * lD1) * c.derivativeSlope(Double(raw[dOff &+ k &+ 1])))
    return gXi / b.w
}
