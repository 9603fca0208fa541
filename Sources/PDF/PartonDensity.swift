// The PDF seam: what the physics integrand needs from a parton-density set.

/// Parton densities and the matching strong coupling.
public protocol PartonDensity: Sendable {
    /// Set name, e.g. "NNPDF23_lo_as_0130_qed".
    var name: String { get }
    /// LHAPDF id of the set, written into event-file headers; nil when unknown.
    var lhapdfID: Int? { get }
    /// x·f(x, Q) for a PDG id (±1…±6 quarks, 21 gluon, 22 photon if present; 0 is read as gluon), Q in GeV.
    func xfx(_ pid: Int, x: Double, q: Double) -> Double
    /// αs(Q) consistent with the set.
    func alphaS(_ q: Double) -> Double
}
