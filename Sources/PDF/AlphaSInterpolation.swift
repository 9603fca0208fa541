#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// αs tabulated by the set (`AlphaS_Qs`, `AlphaS_Vals`), interpolated like LHAPDF 6's `AlphaS_Ipol`.
///
/// Conventions (LHAPDF 6.2 `AlphaS_Ipol`, read in its sources):
/// - a repeated Q value marks a flavour threshold and splits the table into subgrids; a query exactly at
///   a threshold uses the subgrid above it;
/// - inside a subgrid: cubic Hermite spline in log Q², knot slopes dαs/dlog Q² by finite differences
///   (average of the two neighbouring slopes; one-sided at the subgrid's ends);
/// - below the first Q: power law αs(Q²) = αs(Q²₀)·(Q²/Q²₀)^g with g = dlog αs/dlog Q² of the first two
///   distinct points; above the last Q: frozen at the last value.
struct AlphaSInterpolation: Sendable, Equatable {
    private struct Piece: Sendable, Equatable {
        var q2s: [Double]
        var logq2s: [Double]
        var vals: [Double]
        var slopes: [Double]
    }
    private let pieces: [Piece]
    private let q2Min: Double
    private let q2Max: Double
    private let lowValue: Double
    private let lowPower: Double
    private let highValue: Double

    /// qs ascending (repeats allowed for thresholds), vals > 0, same length ≥ 2 — checked by `PDFSetInfo`.
    init(qs: [Double], vals: [Double]) {
        var result: [Piece] = []
        var start = 0
        for i in 1...qs.count {
            if i == qs.count || qs[i] == qs[i - 1] {
                let q2 = qs[start..<i].map { $0 * $0 }
                let l = q2.map { log($0) }
                let v = Array(vals[start..<i])
                var s = [Double](repeating: 0, count: v.count)
                if v.count >= 2 {
                    for j in 0..<v.count {
                        if j == 0 { s[j] = (v[1] - v[0]) / (l[1] - l[0]) }
                        else if j == v.count - 1 { s[j] = (v[j] - v[j - 1]) / (l[j] - l[j - 1]) }
                        else { s[j] = 0.5 * ((v[j] - v[j - 1]) / (l[j] - l[j - 1]) + (v[j + 1] - v[j]) / (l[j + 1] - l[j])) }
                    }
                }
                result.append(Piece(q2s: q2, logq2s: l, vals: v, slopes: s))
                start = i
            }
        }
        pieces = result.filter { $0.q2s.count >= 2 }
        q2Min = qs[0] * qs[0]
        q2Max = qs[qs.count - 1] * qs[qs.count - 1]
        lowValue = vals[0]
        highValue = vals[vals.count - 1]
        var next = 1
        while next < qs.count - 1 && qs[next] == qs[0] { next += 1 }
        lowPower = log(vals[next] / vals[0]) / log((qs[next] * qs[next]) / q2Min)
    }

    func callAsFunction(_ q: Double) -> Double {
        let q2 = q * q
        if q2 < q2Min { return lowValue * pow(q2 / q2Min, lowPower) }
        if q2 >= q2Max { return highValue }
        // The last piece whose first knot is ≤ q2 (so a threshold Q belongs to the piece above it).
        var p = 0
        while p + 1 < pieces.count && pieces[p + 1].q2s[0] <= q2 { p += 1 }
        let piece = pieces[p]
        let i = LogBicubicSubgrid.cellBelow(piece.q2s, min(q2, piece.q2s[piece.q2s.count - 1]))
        let d = piece.logq2s[i + 1] - piece.logq2s[i]
        let t = (log(q2) - piece.logq2s[i]) / d
        let t2 = t * t, t3 = t2 * t
        return (2 * t3 - 3 * t2 + 1) * piece.vals[i] + (t3 - 2 * t2 + t) * piece.slopes[i] * d
            + (-2 * t3 + 3 * t2) * piece.vals[i + 1] + (t3 - t2) * piece.slopes[i + 1] * d
    }
}
