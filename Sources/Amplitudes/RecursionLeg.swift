// One leg of the Berends–Giele recursion, all momenta outgoing. Incoming partons enter crossed
// (an incoming quark is an outgoing antiquark of the same flavour), and the lepton pair of W → ℓν enters as
// one colourless vector leg whose "polarisation" is the lepton current times the W propagator.

public enum RecursionLeg: Sendable, Equatable {
    case gluon
    /// Outgoing quark of flavour 1…5 (row spinor ū).
    case quark(Int)
    /// Outgoing antiquark of flavour 1…5 (column spinor v).
    case antiquark(Int)
    /// Outgoing W of charge ±1: either W → ℓν (one helicity state) or an on-shell W (three states).
    case w(charge: Int)

    var slots: ColourSlots {
        switch self {
        case .gluon: return ColourSlots(hasLeft: true, hasRight: true)
        case .quark: return ColourSlots(hasLeft: false, hasRight: true)
        case .antiquark: return ColourSlots(hasLeft: true, hasRight: false)
        case .w: return ColourSlots(hasLeft: false, hasRight: false)
        }
    }
    var isFermion: Bool {
        switch self { case .quark, .antiquark: return true; default: return false }
    }
    var isColoured: Bool {
        if case .w = self { return false }
        return true
    }
}
