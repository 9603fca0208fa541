#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// αs run from αs(MZ) by the QCD renormalisation-group equation with flavour thresholds.
///
/// Conventions: μ²·dαs/dμ² = −αs²/(4π)·[β0 + β1·αs/(4π) + β2·(αs/(4π))²], truncated at the loop order
/// (`order` 0 = 1-loop, 1 = 2-loop, 2 = 3-loop), with β0 = 11 − 2nf/3, β1 = 102 − 38nf/3,
/// β2 = 2857/2 − 5033nf/18 + 325nf²/54 (MS-bar; e.g. PDG review "Quantum Chromodynamics", eq. 9.3–9.5).
/// nf = number of quark thresholds ≤ Q, capped at `maxFlavours`; so nf changes AT the quark mass
/// (a query exactly at a threshold uses the flavour number above it). αs is continuous across
/// thresholds: exact at 1-loop (LO), and a stated approximation at higher orders, where the MS-bar
/// matching would add a small O(αs³) step.
/// 1-loop runs in closed form, 1/αs(Q) = 1/αs(μ) + β0/(4π)·ln(Q²/μ²), segment by segment between thresholds.
/// Higher orders integrate the equation with 4th-order Runge–Kutta in ln Q² (step ≤ 0.005) between
/// thresholds, once, onto a table in ln Q² (spacing ≤ 0.01, knots on every threshold and on MZ) that stores αs and
/// its exact slope from the β function; queries use the cubic Hermite spline through it (error < 1e-10),
/// and only Q above 10⁵ GeV integrates on the fly.
/// Below `qFreeze` αs is frozen at αs(qFreeze) (the running would approach the Landau pole).
struct AlphaSRunning: Sendable, Equatable {
    let alphaSMZ: Double
    let mZ: Double
    let order: Int
    let thresholds: [Double]
    let maxFlavours: Int
    let qFreeze: Double
    /// Thresholds that change nf (c, b, t up to `maxFlavours`), ascending.
    private var activeThresholds: [Double] = []
    /// Beyond 1-loop: the tabulated solution, one uniform ln Q² piece per flavour number.
    private var pieces: [TablePiece] = []
    private var pieceLowerQ: [Double] = []
    static let tableTopQ = 1e5

    private struct TablePiece: Sendable, Equatable {
        var lnQ2Lower: Double
        var step: Double
        var alpha: [Double]
        var slope: [Double]
    }

    init(alphaSMZ: Double, mZ: Double, order: Int, thresholds: [Double], maxFlavours: Int, qFreeze: Double) {
        self.alphaSMZ = alphaSMZ; self.mZ = mZ; self.order = order
        self.thresholds = thresholds.sorted(); self.maxFlavours = maxFlavours; self.qFreeze = qFreeze
        var active: [Double] = []
        for (i, m) in self.thresholds.enumerated() where i >= 3 && i < maxFlavours { active.append(m) }
        activeThresholds = active
        if order > 0 && qFreeze < AlphaSRunning.tableTopQ { buildTable() }
    }

    private mutating func buildTable() {
        let inner = (activeThresholds + [mZ]).filter { $0 > qFreeze && $0 < AlphaSRunning.tableTopQ }
        let edges = [qFreeze] + Set(inner).sorted() + [AlphaSRunning.tableTopQ]
        for p in 0..<(edges.count - 1) {
            let (lo, hi) = (edges[p], edges[p + 1])
            let nf = flavours(at: lo)
            let span = 2 * log(hi / lo)
            let n = max(1, Int((span / 0.01).rounded(.up)))
            let step = span / Double(n)
            var alpha = [runFromMZ(to: lo)]
            var q = lo
            for i in 1...n {
                let next = i == n ? hi : lo * exp(0.5 * step * Double(i))
                alpha.append(segment(from: q, to: next, alpha: alpha[i - 1], nf: nf))
                q = next
            }
            pieces.append(TablePiece(lnQ2Lower: 2 * log(lo), step: step, alpha: alpha, slope: alpha.map { beta($0, nf: nf) }))
            pieceLowerQ.append(lo)
        }
    }

    /// Number of active flavours at Q: quark thresholds ≤ Q, between 3 and `maxFlavours`.
    func flavours(at q: Double) -> Int {
        var n = 0
        for m in thresholds where m <= q { n += 1 }
        return max(3, min(n, maxFlavours))
    }

    func callAsFunction(_ q: Double) -> Double {
        let qq = max(q, qFreeze)
        if pieces.isEmpty || qq >= AlphaSRunning.tableTopQ { return runFromMZ(to: qq) }
        var p = 0
        while p + 1 < pieces.count && qq >= pieceLowerQ[p + 1] { p += 1 }
        let piece = pieces[p]
        let u = (2 * log(qq) - piece.lnQ2Lower) / piece.step
        let i = min(max(Int(u), 0), piece.alpha.count - 2)
        let t = u - Double(i)
        let t2 = t * t, t3 = t2 * t
        return (2 * t3 - 3 * t2 + 1) * piece.alpha[i] + (t3 - 2 * t2 + t) * piece.step * piece.slope[i]
            + (-2 * t3 + 3 * t2) * piece.alpha[i + 1] + (t3 - t2) * piece.step * piece.slope[i + 1]
    }

    /// The running integrated directly, bypassing the table (for checks of the table).
    func integrated(_ q: Double) -> Double { runFromMZ(to: max(q, qFreeze)) }

    /// μ² dαs/dμ² at fixed nf, truncated at `order`.
    private func beta(_ a: Double, nf: Int) -> Double {
        let n = Double(nf)
        let b0 = 11 - 2 * n / 3
        let b1 = order >= 1 ? 102 - 38 * n / 3 : 0
        let b2 = order >= 2 ? 2857.0 / 2 - 5033 * n / 18 + 325 * n * n / 54 : 0
        let x = a / (4 * Double.pi)
        return -a * x * (b0 + x * (b1 + x * b2))
    }

    /// Segment by segment from MZ to Q; each segment lies between neighbouring thresholds at fixed nf.
    private func runFromMZ(to q: Double) -> Double {
        var mu = mZ
        var a = alphaSMZ
        if q >= mZ {
            for m in activeThresholds where m > mZ && m <= q {
                a = segment(from: mu, to: m, alpha: a, nf: flavours(at: mu))
                mu = m
            }
            return segment(from: mu, to: q, alpha: a, nf: flavours(at: mu))
        }
        for m in activeThresholds.reversed() where m <= mZ && m > q {
            a = segment(from: mu, to: m, alpha: a, nf: flavours(at: m))
            mu = m
        }
        return segment(from: mu, to: q, alpha: a, nf: flavours(at: q))
    }

    /// Runs αs from μ to Q at fixed nf.
    private func segment(from mu: Double, to q: Double, alpha: Double, nf: Int) -> Double {
        if mu == q { return alpha }
        let n = Double(nf)
        let b0 = 11 - 2 * n / 3
        let L = log(q * q / (mu * mu))
        if order == 0 {
            let inverse = 1 / alpha + b0 / (4 * Double.pi) * L
            return inverse > 0 ? 1 / inverse : .nan  // past the Landau pole; rejected when the set loads
        }
        let steps = max(4, Int((abs(L) / 0.005).rounded(.up)))
        let h = L / Double(steps)
        var a = alpha
        for _ in 0..<steps {
            let k1 = beta(a, nf: nf)
            let k2 = beta(a + 0.5 * h * k1, nf: nf)
            let k3 = beta(a + 0.5 * h * k2, nf: nf)
            let k4 = beta(a + h * k3, nf: nf)
            a += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        }
        return a
    }
}
