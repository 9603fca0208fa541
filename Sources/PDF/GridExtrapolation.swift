/// What `xfx` returns outside the grid's x and Q ranges.
///
/// Whatever the choice: x > 1 gives 0 (no partons carry more than the proton's momentum), x ≤ 0 or
/// Q ≤ 0 give 0, NaN inputs give NaN. For a hard error instead, use `LHAGridPDF.xfxChecked`, which throws
/// `PDFError.outOfGrid` naming x or Q and the grid range.
public enum GridExtrapolation: Sendable, Equatable {
    /// LHAPDF 6's default for most sets (`Extrapolator: continuation`, the MSTW scheme):
    /// - x < xMin: linear in (log x, log xf) through the first two x knots (in (log x, xf) when either
    ///   value is ≤ 1e-3);
    /// - Q > QMax: the same in log Q² through the last two Q knots;
    /// - Q < QMin: xf(QMin)·(Q²/Q²min)^(γ·Q²/Q²min + 1 − Q²/Q²min), γ = dlog xf/dlog Q² at QMin from a 1 %
    ///   step (γ ≥ −2.5; γ = 1 when |xf(QMin)| < 1e-5), so xf → 0 as Q → 0;
    /// - x above the last knot but ≤ 1 (sets with XMax < 1): the value at the last x knot.
    case continuation
    /// LHAPDF's `nearest` extrapolator (and Pythia 8's default freezing): x and Q are clamped to the grid.
    case nearestPoint
}
