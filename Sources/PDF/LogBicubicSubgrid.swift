#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Q-range of a grid, prepared for LHAPDF 6's log-bicubic interpolation.
///
/// Storage is knot-major in `PartonValues` slot order (14 slots, zero for flavours the file lacks): for
/// knot (ix, iq) the block at `((iq·nx + ix)·2)·S` holds the S values, then their S derivatives
/// d(xf)/d(log x). So one knot search serves all flavours, the all-flavour loop reads contiguous memory
/// and writes the caller's slots directly. The derivatives are precomputed once with LHAPDF's finite
/// differences: the average of the left and right slopes inside the grid, one-sided at the first and
/// last x knot. A final class of constants (immutable, shareable): picking a subgrid in the hot path
/// costs one reference instead of copying many array references.
final class LogBicubicSubgrid: Sendable {
    static let slots = PartonValues.slotCount
    let nx: Int
    let nq: Int
    /// Knots as written in the file (used for the searches, so a query exactly on a knot hits it exactly).
    let xs: [Double]
    let qs: [Double]
    let logxs: [Double]
    /// log Q² = 2 log Q of the knots.
    let logq2s: [Double]
    /// Values and log-x derivatives, interleaved per knot as described above.
    let data: [Double]
    private let xLocator: KnotLocator
    private let qLocator: KnotLocator
    /// Per x cell: width in log x and its inverse.
    private let dx: [Double]
    private let invDx: [Double]
    /// Per Q cell: inverse width in log Q², and width ratios to the cells below (r0) and above (r2).
    private let invDq: [Double]
    private let r0: [Double]
    private let r2: [Double]

    /// `raw.pids` must all have slots (the file reader guarantees it).
    init(raw: RawSubgrid) {
        let S = LogBicubicSubgrid.slots
        nx = raw.xs.count
        nq = raw.qs.count
        xs = raw.xs
        qs = raw.qs
        logxs = raw.xs.map { log($0) }
        logq2s = raw.qs.map { 2 * log($0) }
        let rawNf = raw.pids.count
        let lx = logxs
        let (nx, nq) = (self.nx, self.nq)
        var v = [Double](repeating: 0, count: nx * nq * 2 * S)
        for (column, pid) in raw.pids.enumerated() {
            let k = PartonValues.slot(ofPID: pid)!
            for ix in 0..<nx {
                for iq in 0..<nq {
                    v[(iq * nx + ix) * 2 * S + k] = raw.values[(ix * nq + iq) * rawNf + column]
                }
            }
        }
        for iq in 0..<nq {
            for ix in 0..<nx {
                let here = (iq * nx + ix) * 2 * S
                for k in 0..<S {
                    let f = v[here + k]
                    let slope: Double
                    if ix == 0 {
                        slope = (v[here + 2 * S + k] - f) / (lx[1] - lx[0])
                    } else if ix == nx - 1 {
                        slope = (f - v[here - 2 * S + k]) / (lx[ix] - lx[ix - 1])
                    } else {
                        let left = (f - v[here - 2 * S + k]) / (lx[ix] - lx[ix - 1])
                        let right = (v[here + 2 * S + k] - f) / (lx[ix + 1] - lx[ix])
                        slope = 0.5 * (left + right)
                    }
                    v[here + S + k] = slope
                }
            }
        }
        data = v
        xLocator = KnotLocator(knots: xs, logKnots: logxs)
        qLocator = KnotLocator(knots: qs, logKnots: logq2s)
        let cellsX = raw.xs.count - 1, cellsQ = raw.qs.count - 1
        let widthsX = (0..<cellsX).map { lx[$0 + 1] - lx[$0] }
        dx = widthsX
        invDx = widthsX.map { 1 / $0 }
        let lq = raw.qs.map { 2 * log($0) }
        let dq = (0..<cellsQ).map { lq[$0 + 1] - lq[$0] }
        invDq = dq.map { 1 / $0 }
        r0 = (0..<cellsQ).map { $0 > 0 ? dq[$0] / dq[$0 - 1] : 0 }
        r2 = (0..<cellsQ).map { $0 + 1 < cellsQ ? dq[$0] / dq[$0 + 1] : 0 }
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
        let ix = xLocator.cell(x, logValue: logx)
        let iq = qLocator.cell(q, logValue: logq2)
        let dx = self.dx[ix]
        let tx = (logx - logxs[ix]) * invDx[ix]
        let tq = (logq2 - logq2s[iq]) * invDq[iq]
        var s = Stencil()
        s.base = ix &* (2 &* LogBicubicSubgrid.slots)
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
            let r0 = self.r0[iq]
            cH = 0.5; cL = -0.5 + 0.5 * r0; cLL = -0.5 * r0
        }
        // Slope at the upper row (times dq): vdh = dHH·vhh + dH·vh + dL·vl.
        var dHH = 0.0, dH = 1.0, dL = -1.0
        if iq &+ 2 < nq {
            let r2 = self.r2[iq]
            dHH = 0.5 * r2; dH = 0.5 - 0.5 * r2; dL = -0.5
        }
        s.rows = (iq > 0 ? iq &- 1 : iq, iq, iq &+ 1, iq &+ 2 < nq ? iq &+ 2 : iq &+ 1)
        s.w = (h10 * cLL, h00 + h10 * cL + h11 * dL, h01 + h10 * cH + h11 * dH, h11 * dHH)
        return s
    }

    /// x·f of one slot for a stencil.
    @inline(__always)
    func evaluate(_ s: Stencil, slot k: Int) -> Double {
        data.withUnsafeBufferPointer { v in
            let S = LogBicubicSubgrid.slots
            let rowStride = nx &* (2 &* S)
            let b = s.base &+ k
            @inline(__always) func row(_ r: Int) -> Double {
                let o = r &* rowStride &+ b
                return s.a0 * v[o] + s.b0 * v[o &+ S] + s.a1 * v[o &+ 2 &* S] + s.b1 * v[o &+ 3 &* S]
            }
            return s.w.0 * row(s.rows.0) + s.w.1 * row(s.rows.1) + s.w.2 * row(s.rows.2) + s.w.3 * row(s.rows.3)
        }
    }

    /// x·f of every slot for a stencil, into out[0..<slots].
    @inline(__always)
    func evaluateAll(_ s: Stencil, into out: UnsafeMutablePointer<Double>) {
        data.withUnsafeBufferPointer { v in
            let S = LogBicubicSubgrid.slots
            let rowStride = nx &* (2 &* S)
            let o0 = s.rows.0 &* rowStride &+ s.base
            let o1 = s.rows.1 &* rowStride &+ s.base
            let o2 = s.rows.2 &* rowStride &+ s.base
            let o3 = s.rows.3 &* rowStride &+ s.base
            let (a0, a1, b0, b1) = (s.a0, s.a1, s.b0, s.b1)
            for k in 0..<S {
                let r0 = a0 * v[o0 &+ k] + b0 * v[o0 &+ S &+ k] + a1 * v[o0 &+ 2 &* S &+ k] + b1 * v[o0 &+ 3 &* S &+ k]
                let r1 = a0 * v[o1 &+ k] + b0 * v[o1 &+ S &+ k] + a1 * v[o1 &+ 2 &* S &+ k] + b1 * v[o1 &+ 3 &* S &+ k]
                let r2 = a0 * v[o2 &+ k] + b0 * v[o2 &+ S &+ k] + a1 * v[o2 &+ 2 &* S &+ k] + b1 * v[o2 &+ 3 &* S &+ k]
                let r3 = a0 * v[o3 &+ k] + b0 * v[o3 &+ S &+ k] + a1 * v[o3 &+ 2 &* S &+ k] + b1 * v[o3 &+ 3 &* S &+ k]
                out[k] = s.w.0 * r0 + s.w.1 * r1 + s.w.2 * r2 + s.w.3 * r3
            }
        }
    }
}

/// Knots and weights of one interpolation: x-weights (a: values, b: log-x derivatives) of knots ix and
/// ix+1 (`base` = offset of knot ix within a Q row), and four Q rows with their weights (unused rows
/// carry weight 0).
struct Stencil {
    var base = 0
    var a0 = 0.0, a1 = 0.0, b0 = 0.0, b1 = 0.0
    var rows = (0, 0, 0, 0)
    var w = (0.0, 0.0, 0.0, 0.0)
}
