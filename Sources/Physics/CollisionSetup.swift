// Everything that defines a hadron-collider LO computation, in one value: process, beams, PDF, cuts,
// scales, model. `makeIntegrand()` turns it into the multi-channel `HadronicIntegrand` the samplers use.
// The run card decodes into this (the executable owns the card's file format).
import Amplitudes
import Kinematics
import PDF

public struct CollisionSetup: Sendable, Equatable {
    /// MadGraph-style process string, e.g. "p p > e+ ve j j".
    public var process = "p p > e+ ve j"
    /// Proton–proton centre-of-mass energy in GeV.
    public var sqrtS = 13_000.0
    /// LHAPDF set name, set folder or member-file path.
    public var pdfSet = "NNPDF23_lo_as_0130_qed"
    /// PDF member number.
    public var pdfMember = 0
    /// Extra folders searched for the set before LHAPDF_DATA_PATH (e.g. a project's `.venv`).
    public var pdfSearchPaths: [String] = []
    public var cuts = Cuts()
    public var scales = ScaleSetting(.transverseMassHalf)
    public var model = StandardModel()
    /// Include b quarks in `p` and `j`.
    public var includeBottom = false
    /// Largest number of massless s-channel propagators per phase-space channel (more: more channels).
    public var maxPropagators = 2
    /// Prior channel weights handed to the channel-weight network.
    public var priorWeighting: PriorWeighting = .propagators

    public init() {}

    /// Parse the process, load the PDF and build channels. Throws with a message naming what is wrong.
    public func makeIntegrand() throws -> HadronicIntegrand {
        try validate()
        let parsed = try Amplitudes.Process(process, options: ProcessOptions(includeBottom: includeBottom, model: model))
        let jets = try jetCount(of: parsed)
        let pdf = try LHAGridPDF.load(pdfSet, member: pdfMember, searchPaths: pdfSearchPaths)
        return try HadronicIntegrand.wPlusJets(jets: jets, sqrtS: sqrtS, pdf: pdf, groups: parsed.groups,
                                               cuts: cuts, scales: scales, model: model, maxPropagators: maxPropagators,
                                               priorWeighting: priorWeighting)
    }

    /// Number of final-state partons: outgoing legs minus the lepton pair.
    func jetCount(of process: Amplitudes.Process) throws -> Int {
        guard let first = process.subprocesses.first else { throw PhysicsError.invalidProcess("process '\(self.process)' has no subprocesses") }
        let leptons = first.outgoing.filter { (11...16).contains(abs($0)) }.count
        guard leptons == 2 else {
            throw PhysicsError.invalidProcess("process '\(self.process)': only ℓν final states are supported by the phase space (found \(leptons) leptons); write the W decay, e.g. 'p p > e+ ve j'")
        }
        return first.outgoing.count - 2
    }
}
