// Cuts of a run card that no event can pass, refused when the card is read (naming the [cuts] key) instead of
// surfacing later as an empty phase-space map, a zero cross section or NaN weights. Only necessary conditions
// of momentum conservation are used, so a card that passes may still have a tiny cross section.
import Physics

enum CutFeasibility {
    /// Throws when the cuts leave no phase space at collider energy `sqrtS` for `jets` final-state partons.
    static func check(_ cuts: Cuts, sqrtS: Double, jets: Int) throws {
        func refuse(_ key: String, _ value: Double, _ why: String) -> IntegrateError {
            IntegrateError("run card: [cuts] \(key) = \(value) leaves no phase space: \(why)")
        }
        for (key, value) in [("jet_eta_max", cuts.jetEtaMax), ("lepton_eta_max", cuts.leptonEtaMax)] where value == 0 {
            throw refuse(key, 0, "no particle has |η| < 0 (a negative value removes the cut)")
        }
        guard sqrtS.isFinite, sqrtS > 0 else { return }
        // One particle carries at most half the collider energy as transverse momentum.
        var singles = [("lepton_pt_min", cuts.leptonPTMin), ("missing_et_min", cuts.missingETMin)]
        if jets > 0 { singles.insert(("jet_pt_min", cuts.jetPTMin), at: 0) }
        for (key, value) in singles {
            if let v = value, 2 * v > sqrtS { throw refuse(key, v, "one particle has pT ≤ √s/2 = \(sqrtS / 2) GeV") }
        }
        // The energy of the final state is at least the sum of its transverse momenta.
        let sum = Double(jets) * (cuts.jetPTMin ?? 0) + (cuts.leptonPTMin ?? 0) + (cuts.missingETMin ?? 0)
        if sum > sqrtS {
            throw IntegrateError("run card: [cuts] jet_pt_min, lepton_pt_min and missing_et_min leave no phase space: \(jets) jet(s) and the lepton pair need Σ pT ≥ \(sum) GeV, more than √s = \(sqrtS) GeV")
        }
        // mT(W)² = 2 pT(ℓ) pT(ν) (1 − cos Δφ) ≤ (pT(ℓ) + pT(ν))² ≤ s.
        if let v = cuts.wTransverseMassMin, v > sqrtS { throw refuse("mt_w_min", v, "mT(W) ≤ √s = \(sqrtS) GeV") }
        // Two jets with |η| ≤ η_max are at most √((2 η_max)² + π²) apart.
        if jets >= 2, let r = cuts.jetDeltaRMin, let eta = cuts.jetEtaMax {
            let widest = ((2 * eta) * (2 * eta) + Double.pi * Double.pi).squareRoot()
            if r > widest { throw refuse("jet_dr_min", r, "jets with |η| ≤ \(eta) are at most ΔR = \(widest) apart") }
        }
    }
}
