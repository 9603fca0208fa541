#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Q-range of a grid, prepared for LHAPDF 6's log-bicubic interpolation.
///
/// Storage is knot-major with flavours innermost — `values[(iq·nx + ix)·nf + k]` — so one knot search
/// serves all flavours and the all-flavour loop runs over contiguous memory. Next to each value we keep
/// its derivative d(xf)/d(log x), precomputed once with LHAPDF's finite differences: the average of the
/// left and right slopes inside the grid, the one-sided slope at the first and last x knot.
struct LogBicubicSubgrid: Sendable {
    let nx: Int
    let nq: Int
    let nf: Int
    /// Knots as written in the file (used for the searches, so a query exactly on a knot hits it exactly).
    let xs: [Double]
    let qs: [Double]
    let logxs: [Double]
    /// log Q² = 2 log Q of the knots.
    let logq2s: [Double]
    let values: [Double]
    let dlogx: [Double]

    /// `raw` must use the set's flavour order already (`columns[k]` is the raw column of slot k).
    init(raw: RawSubgrid, columns: [Int]) {
        nx = raw.xs.count
        nq = raw.qs.count
        nf = columns.count
        xs = raw.xs
        qs = raw.qs
        logxs = raw.xs.map { log($0) }
        logq2s = raw.qs.map { 2 * log($0) }
        let rawNf = raw.pids.count
        var v = [Double](repeating: 0, count: nx * nq * nf)
        for ix in 0..<nx {
            for iq in 0..<nq {
                for k in 0..<nf {
                    v[(iq * nx + ix) * nf + k] = raw.values[(ix * nq + iq) * rawNf + columns[k]]
                }
            }
        }
        values = v
        var d = [Double](repeating: 0, count: nx * nq * nf)
        let lx = logxs
        for iq in 0..<nq {
            for ix in 0..<nx {
                for k in 0..<nf {
                    let here = v[(iq * nx + ix) * nf + k]
                    let slope: Double
                    if ix == 0 {
                        slope = (v[(iq * nx + 1) * nf + k] - here) / (lx[1] - lx[0])
                    } else if ix == nx - 1 {
                        slope = (here - v[(iq * nx + ix - 1) * nf + k]) / (lx[ix] - lx[ix - 1])
                    } else {
                        let left = (here - v[(iq * nx + ix - 1) * nf + k]) / (lx[ix] - lx[ix - 1])
                        let right = (v[(iq * nx + ix + 1) * nf + k] - here) / (lx[ix + 1] - lx[ix])
                        slope = 0.5 * (left + right)
                    }
                    d[(iq * nx + ix) * nf + k] = slope
                }
            }
        }
        dlogx = d
    }

    /// Index i with knots[i] ≤ v < knots[i+1]; the last cell for v equal to the last knot. v must be in range.
    @inline(__always)
    static func cellBelow(_ knots: [Double], _ v: Double) -> Int {
        var lo = 0
        var hi = knots.count &- 1
        if v >= knots[hi] { return hi &- 1 }
        // Invariant: knots[lo] ≤ v < knots[hi].
        while hi &- lo > 1 {
            let mid = (lo &+ hi) >> 1
            if knots[mid] <= v { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// The interpolation stencil for an in-range (x, Q): which knots and with which weights.
    ///
    /// LHAPDF 6 `LogBicubicInterpolator` (read in LHAPDF 6.2 sources; arXiv:1412.7420 sect. 3.2): in the
    /// cell [ix, ix+1] × [iq, iq+1], first a cubic Hermite spline in t = (log x − log x_ix)/Δ with the
    /// knot derivatives above, at the Q rows iq−1…iq+2; then a cubic Hermite spline in log Q² through the
    /// rows iq, iq+1 whose slopes are finite differences of those x-interpolated rows (average of the two
    /// neighbouring slopes; one-sided at the first/last Q knot of the subgrid). Everything is linear in the
    /// knot values, so it reduces to four x-weights and four row weights shared by all flavours.
    /// With fewer than 4 Q knots LHAPDF falls back to bilinear interpolation in (log x, log Q²); so do we.
    @inline(__always)
    func stencil(x: Double, logx: Double, q: Double, logq2: Double) -> Stencil {
        let ix = LogBicubicSubgrid.cellBelow(xs, x)
        let iq = LogBicubicSubgrid.cellBelow(qs, q)
        let dx = logxs[ix &+ 1] - logxs[ix]
        let tx = (logx - logxs[ix]) / dx
        let dq = logq2s[iq &+ 1] - logq2s[iq]
        let tq = (logq2 - logq2s[iq]) / dq
        var s = Stencil()
        s.base = ix &* nf
        if nq < 4 {
            s.a0 = 1 - tx; s.a1 = tx; s.b0 = 0; s.b1 = 0
            s.rows = (iq, iq, iq &+ 1, iq &+ 1)
            s.w = (0, 1 - tq, tq, 0)
            return s
        }
        let tx2 = tx * tx, tx3 = tx2 * tx
        s.a0 = 2 * tx3 - 3 * tx2 + 1
        s.a1 = -2 * tx3 + 3 * tx2
        s.b0 = (tx3 - 2 * tx2 + tx) * dx
        s.b1 = (tx3 - tx2) * dx
        let tq2 = tq * tq, tq3 = tq2 * tq
        let h00 = 2 * tq3 - 3 * tq2 + 1
        let h01 = -2 * tq3 + 3 * tq2
        let h10 = tq3 - 2 * tq2 + tq
        let h11 = tq3 - tq2
        // Slope at the lower row (times dq): vdl = cH·vh + cL·vl + cLL·vll.
        var cH = 1.0, cL = -1.0, cLL = 0.0
        if iq > 0 {
            let r0 = dq / (logq2s[iq] - logq2s[iq &- 1])
            cH = 0.5; cL = -0.5 + 0.5 * r0; cLL = -0.5 * r0
        }
        // Slope at the upper row (times dq): vdh = dHH·vhh + dH·vh + dL·vl.
        var dHH = 0.0, dH = 1.0, dL = -1.0
        if iq &+ 2 < nq {
            let r2 = dq / (logq2s[iq &+ 2] - logq2s[iq &+ 1])
            dHH = 0.5 * r2; dH = 0.5 - 0.5 * r2; dL = -0.5
        }
        s.rows = (iq > 0 ? iq &- 1 : iq, iq, iq &+ 1, iq &+ 2 < nq ? iq &+ 2 : iq &+ 1)
        s.w = (h10 * cLL, h00 + h10 * cL + h11 * dL, h01 + h10 * cH + h11 * dH, h11 * dHH)
        return s
    }

    /// x·f of column k for a stencil.
    @inline(__always)
    func evaluate(_ s: Stencil, column k: Int) -> Double {
        values.withUnsafeBufferPointer { v in
            dlogx.withUnsafeBufferPointer { d in
                let rowStride = nx &* nf
                let b = s.base &+ k
                @inline(__always) func row(_ r: Int) -> Double {
                    let o = r &* rowStride &+ b
                    return s.a0 * v[o] + s.a1 * v[o &+ nf] + s.b0 * d[o] + s.b1 * d[o &+ nf]
                }
                return s.w.0 * row(s.rows.0) + s.w.1 * row(s.rows.1) + s.w.2 * row(s.rows.2) + s.w.3 * row(s.rows.3)
            }
        }
    }

    /// x·f of every column k for a stencil, into out[slots[k]].
    @inline(__always)
    func evaluateAll(_ s: Stencil, slots: UnsafePointer<Int>, into out: UnsafeMutablePointer<Double>) {
        values.withUnsafeBufferPointer { v in
            dlogx.withUnsafeBufferPointer { d in
                let rowStride = nx &* nf
                let o0 = s.rows.0 &* rowStride &+ s.base
                let o1 = s.rows.1 &* rowStride &+ s.base
                let o2 = s.rows.2 &* rowStride &+ s.base
                let o3 = s.rows.3 &* rowStride &+ s.base
                let n = nf
                for k in 0..<n {
                    let r0 = s.a0 * v[o0 &+ k] + s.a1 * v[o0 &+ n &+ k] + s.b0 * d[o0 &+ k] + s.b1 * d[o0 &+ n &+ k]
                    let r1 = s.a0 * v[o1 &+ k] + s.a1 * v[o1 &+ n &+ k] + s.b0 * d[o1 &+ k] + s.b1 * d[o1 &+ n &+ k]
                    let r2 = s.a0 * v[o2 &+ k] + s.a1 * v[o2 &+ n &+ k] + s.b0 * d[o2 &+ k] + s.b1 * d[o2 &+ n &+ k]
                    let r3 = s.a0 * v[o3 &+ k] + s.a1 * v[o3 &+ n &+ k] + s.b0 * d[o3 &+ k] + s.b1 * d[o3 &+ n &+ k]
                    out[slots[k]] = s.w.0 * r0 + s.w.1 * r1 + s.w.2 * r2 + s.w.3 * r3
                }
            }
        }
    }
}

/// Knots and weights of one interpolation: x-weights (a: values, b: log-x derivatives) at columns
/// `base`/`base+nf`, and four Q rows with their weights (unused rows carry weight 0).
struct Stencil {
    var base = 0
    var a0 = 0.0, a1 = 0.0, b0 = 0.0, b1 = 0.0
    var rows = (0, 0, 0, 0)
    var w = (0.0, 0.0, 0.0, 0.0)
}
