import Amplitudes
// Checks of the plain numbers of a `CollisionSetup`, run first by `makeIntegrand()`, so that a NaN energy or a
// negative width is reported as such instead of surfacing later as "energy too low" or NaN cross sections.
extension CollisionSetup {
    /// Throws `PhysicsError.invalidSetup` naming the first bad setting (cuts and scales validate themselves).
    public func validate() throws {
        func fail(_ message: String) -> PhysicsError { .invalidSetup(message) }
        guard !process.allSatisfy(\.isWhitespace) else { throw fail("the process string is empty; write e.g. 'p p > e+ ve j'") }
        guard sqrtS.isFinite, sqrtS > 0 else { throw fail("collider energy √s must be positive and finite, got \(sqrtS) GeV") }
        guard !pdfSet.allSatisfy(\.isWhitespace) else { throw fail("no PDF set given") }
        guard pdfMember >= 0 else { throw fail("PDF member must be ≥ 0, got \(pdfMember)") }
        guard maxPropagators >= 0 else { throw fail("maximum number of s-channel propagators must be ≥ 0, got \(maxPropagators)") }
        let parameters: [(String, Double)] = [("W mass", model.mW), ("W width", model.widthW), ("Z mass", model.mZ), ("Fermi constant", model.gF)]
        for (name, value) in parameters where !(value.isFinite && value > 0) {
            throw fail("\(name) must be positive and finite, got \(value)")
        }
        guard model.mW < model.mZ else { throw fail("W mass \(model.mW) GeV must lie below the Z mass \(model.mZ) GeV (sin²θ_W = 1 − M_W²/M_Z² > 0)") }
        guard model.cabibboAngle.isFinite else { throw fail("Cabibbo angle must be finite, got \(model.cabibboAngle)") }
    }
}

extension CollisionSetup {
    /// The process string alone: it parses, has subprocesses and an ℓν final state (no PDF is loaded).
    public func validateProcessOnly() throws {
        try validate()
        let parsed = try Amplitudes.Process(process, options: ProcessOptions(includeBottom: includeBottom, model: model))
        _ = try jetCount(of: parsed)
    }
}
