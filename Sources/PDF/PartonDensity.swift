// The PDF seam: what the physics integrand needs from a parton-density set.

/// Parton densities and the matching strong coupling.
public protocol PartonDensity: Sendable {
    /// Set name, e.g. "NNPDF23_lo_as_0130_qed".
    var name: String { get }
    /// LHAPDF id of the set, written into event-file headers; nil when unknown.
    var lhapdfID: Int? { get }
    /// x·f(x, Q) for a PDG id (±1…±6 quarks, 21 gluon, 22 photon if present; 0 is read as gluon), Q in GeV.
    /// Flavours the set does not hold give 0.
    func xfx(_ pid: Int, x: Double, q: Double) -> Double
    /// x·f(x, Q) for every flavour at once (one knot search instead of one per flavour), written into
    /// `values` (see `PartonValues` for the slot layout). Flavours the set does not hold give 0.
    func xfxAll(x: Double, q: Double, into values: inout PartonValues)
    /// αs(Q) consistent with the set.
    func alphaS(_ q: Double) -> Double
}

extension PartonDensity {
    /// Fallback for densities without a faster joint evaluation: one `xfx` call per slot.
    public func xfxAll(x: Double, q: Double, into values: inout PartonValues) {
        for slot in 0..<PartonValues.slotCount {
            values.storage[slot] = xfx(PartonValues.pid(ofSlot: slot), x: x, q: q)
        }
    }
}
