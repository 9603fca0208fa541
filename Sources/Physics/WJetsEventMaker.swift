// Sampled phase-space points of a `HadronicIntegrand` → Les Houches event records (the `EventMaker` seam).
//
// Per point: map y through the channel, recompute the physics with each subprocess's f_a f_b |M|², pick the
// subprocess ∝ that contribution, pick a leading-colour flow ∝ its partial |M|² (`sampleColourTags`), and
// write the rows
//     1, 2      incoming partons (beam 1 along +z), status −1, mothers 0 0
//     3         W± = ℓ + ν, status 2, mothers 1 2, m = m_ℓν
//     4 …       the subprocess's outgoing particles in its own order: leptons status 1 mothers 3 3,
//               partons status 1 mothers 1 2
// Massless particles (every parton and lepton here) get m = 0 exactly; the W gets √max(p², 0).
// scale = μF; αQED = the model's α_Gμ (the coupling |M|² was computed with); αs = αs(μR) of the PDF.
//
// Typical use:
//     let maker = try WJetsEventMaker(integrand: integrand)
//     let info = try maker.runInfo(weighted: false, cardHash: h, modelHash: m, seed: seed)   // info.processes == maker.processes
//     let records = try maker.events(channel: c, points: y, relativeWeights: w, trials: t, rng: &rng)
import Amplitudes
import EventIO
import Kinematics
import Numerics
import PDF

public struct WJetsEventMaker: EventMaker, Sendable {
    public let integrand: HadronicIntegrand
    /// The run's process list: every partonic subprocess, in the integrand's flavour-table order;
    /// an event's `processID` is its 1-based index here.
    public let processes: [EventProcess]
    public var particlesPerEvent: Int { integrand.partons + 5 }

    /// Throws `PhysicsError.invalidProcess` when a group's matrix element has no colour flows.
    public init(integrand: HadronicIntegrand) throws {
        self.integrand = integrand
        for (g, group) in integrand.groups.enumerated() where !(group.matrixElement is TreeMatrixElement) {
            throw PhysicsError.invalidProcess("group \(g): its matrix element \(type(of: group.matrixElement)) has no colour flows; events need a TreeMatrixElement")
        }
        self.processes = integrand.eventProcesses
    }

    /// One record per row of `points`. Each row consumes exactly two uniforms of `rng` (subprocess, then colour
    /// flow), also rows that give nil, so a row's choices do not depend on the rows before it.
    public func events(channel: Int, points: MatrixD, relativeWeights: [Double], trials: [Int64],
                       rng: inout RandomStream) throws -> [EventRecord?] {
        guard relativeWeights.count == points.rows, trials.count == points.rows else {
            throw PhysicsError.invalidPoint("\(points.rows) points but \(relativeWeights.count) relative weights and \(trials.count) trial counts")
        }
        guard points.cols == integrand.dimension else {
            throw PhysicsError.invalidPoint("points have \(points.cols) columns, the integrand has dimension \(integrand.dimension)")
        }
        var out: [EventRecord?] = []
        out.reserveCapacity(points.rows)
        for i in 0..<points.rows {
            let uSubprocess = rng.uniform(), uFlow = rng.uniform()
            out.append(try event(channel: channel, point: points.row(i), row: i, relativeWeight: relativeWeights[i],
                                 trials: trials[i], subprocessSelector: uSubprocess, colourSelector: uFlow))
        }
        return out
    }

    /// The record of one point with explicit choices (`subprocessSelector`, `colourSelector` ∈ [0, 1));
    /// nil when the point has zero weight. `row` names the point in errors.
    public func event(channel: Int, point y: [Double], row: Int = 0, relativeWeight: Double, trials: Int64,
                      subprocessSelector: Double, colourSelector: Double) throws -> EventRecord? {
        guard (0..<1).contains(subprocessSelector), (0..<1).contains(colourSelector) else {
            throw PhysicsError.invalidPoint("selectors \(subprocessSelector), \(colourSelector) outside [0, 1)")
        }
        guard let d = try integrand.pointDetail(channel: channel, point: y, row: row) else { return nil }
        let table = integrand.table
        let chosen = integrand.chooseMember(d.contributions, selector: subprocessSelector)
        let sp = table.subprocesses[chosen]
        let p = table.memberSlots[chosen].map { d.momenta[$0] }     // member order: incoming, then outgoing
        // Every group's element is a TreeMatrixElement (checked in init), so the tags exist.
        let tags = integrand.groups[table.memberGroup[chosen]]
            .sampleColourTags(member: table.memberIndex[chosen], p, uniform: colourSelector)!

        func particle(_ id: Int, status: Int32, mothers: (Int32, Int32), _ q: FourVector, mass: Double = 0,
                 colour: (colour: Int, anticolour: Int) = (0, 0)) -> EventParticle {
            EventParticle(id: Int32(id), status: status, mother1: mothers.0, mother2: mothers.1,
                          colour1: Int32(colour.colour), colour2: Int32(colour.anticolour),
                          px: q.px, py: q.py, pz: q.pz, e: q.e, m: mass)
        }
        var rows: [EventParticle] = []
        rows.reserveCapacity(particlesPerEvent)
        rows.append(particle(sp.incoming[0], status: -1, mothers: (0, 0), p[0], colour: tags[0]))
        rows.append(particle(sp.incoming[1], status: -1, mothers: (0, 0), p[1], colour: tags[1]))
        let w = d.momenta[2] + d.momenta[3]                            // slots 2, 3: ℓ and ν
        let lepton = sp.outgoing.first(where: FlavourTable.isChargedLepton)!
        rows.append(particle(PDG.charge3(lepton) > 0 ? 24 : -24, status: 2, mothers: (1, 2), w, mass: max(w.m2, 0).squareRoot()))
        for (k, id) in sp.outgoing.enumerated() {
            let coloured = FlavourTable.isParton(id)
            rows.append(particle(id, status: 1, mothers: coloured ? (1, 2) : (3, 3), p[2 + k], colour: tags[2 + k]))
        }
        let r = d.result
        return EventRecord(processID: chosen + 1, particles: rows, trials: trials, scale: r.muF,
                           factorizationScale: r.muF, renormalizationScale: r.muR, alphaQED: integrand.model.alpha,
                           alphaS: r.alphaS, relativeWeight: relativeWeight)
    }

    /// The run header for these events (see `HadronicIntegrand.eventRunInfo`), with this maker's process list.
    public func runInfo(weighted: Bool, cardHash: String, modelHash: String, seed: UInt64) throws -> EventRunInfo {
        try integrand.eventRunInfo(weighted: weighted, cardHash: cardHash, modelHash: modelHash, seed: seed)
    }
}

extension HadronicIntegrand {
    /// Every partonic subprocess, in the flavour-table order that event process ids refer to.
    public var subprocesses: [Subprocess] { table.subprocesses }

    /// The event-file process list: one per subprocess, named MadGraph-style ("u d~ > e+ ve g"), n + 5 rows.
    public var eventProcesses: [EventProcess] {
        subprocesses.map { sp in
            EventProcess(name: (sp.incoming.map(PDG.name) + [">"] + sp.outgoing.map(PDG.name)).joined(separator: " "),
                         legs: partons + 5)
        }
    }

    /// LHAPDF id of the PDF member: `pdf.lhapdfID` (an `LHAGridPDF` reads `SetIndex` from the `.info`, or from
    /// `PDFSetInfo.builtIn` for sets shipped without one, and adds the member), else the built-in table by set
    /// name (other densities; member 0). Throws when neither knows the set.
    public func lhapdfID() throws -> Int32 {
        if let id = pdf.lhapdfID ?? PDFSetInfo.builtIn(name: pdf.name)?.setIndex, let id32 = Int32(exactly: id) { return id32 }
        throw PhysicsError.invalidSetup("the LHAPDF id of PDF set '\(pdf.name)' is unknown (no SetIndex in its .info and not a built-in set); event files need it")
    }

    /// A ready event-file header: pp beams of √s/2 each, the PDF's LHAPDF id, one process per subprocess
    /// (n + 5 rows each).
    public func eventRunInfo(weighted: Bool, cardHash: String, modelHash: String, seed: UInt64) throws -> EventRunInfo {
        EventRunInfo(energyA: sqrtS / 2, energyB: sqrtS / 2, pdfSetID: try lhapdfID(), processes: eventProcesses,
                     weighted: weighted, cardHash: cardHash, modelHash: modelHash, seed: seed)
    }
}
