// What a generated parton-level event is, between the physics that makes it and the sinks that write it:
// Les Houches particle rows (hep-ph/0609017) plus the event's scales, couplings, process id and weight.
// The physics (Physics module) fills these; sinks (LHEH5, LHE) only copy them.
import Numerics

/// One particle row of an event, with the Les Houches meanings: PDG id, status (−1 incoming, 1 outgoing,
/// 2 intermediate resonance), 1-based mothers (0 = none), colour tags (501, 502, …; 0 = none), momentum and
/// mass in GeV, lifetime (mm), spin (9 = unpolarised).
public struct EventParticle: Sendable, Equatable {
    public var id: Int32
    public var status: Int32
    public var mother1: Int32
    public var mother2: Int32
    public var colour1: Int32
    public var colour2: Int32
    public var px: Double, py: Double, pz: Double, e: Double, m: Double
    public var lifetime: Double = 0
    public var spin: Double = 9

    public init(id: Int32, status: Int32, mother1: Int32, mother2: Int32, colour1: Int32, colour2: Int32,
                px: Double, py: Double, pz: Double, e: Double, m: Double, lifetime: Double = 0, spin: Double = 9) {
        self.id = id; self.status = status; self.mother1 = mother1; self.mother2 = mother2
        self.colour1 = colour1; self.colour2 = colour2
        self.px = px; self.py = py; self.pz = pz; self.e = e; self.m = m
        self.lifetime = lifetime; self.spin = spin
    }
}

public struct EventRecord: Sendable, Equatable {
    /// 1-based index into the run's process list (`EventRunInfo.processes`).
    public var processID: Int
    public var particles: [EventParticle]
    /// Attempts (trial points) since the previous stored event on the same rank, this one included.
    public var trials: Int64
    /// Shower starting scale, μF and μR (GeV).
    public var scale: Double
    public var factorizationScale: Double
    public var renormalizationScale: Double
    /// αQED (−1: not used) and αs(μR).
    public var alphaQED: Double
    public var alphaS: Double
    /// Weight before the run's normalisation: for unweighted events max(1, w/w_max) (1 except for overweight
    /// events), for weighted events the trial weight in pb. The sink multiplies it by `EventRunTotals.unitWeight`
    /// when the run is finished, so that the stored weights add up to the cross section.
    public var relativeWeight: Double

    public init(processID: Int, particles: [EventParticle], trials: Int64, scale: Double, factorizationScale: Double,
                renormalizationScale: Double, alphaQED: Double = -1, alphaS: Double, relativeWeight: Double) {
        self.processID = processID; self.particles = particles; self.trials = trials; self.scale = scale
        self.factorizationScale = factorizationScale; self.renormalizationScale = renormalizationScale
        self.alphaQED = alphaQED; self.alphaS = alphaS; self.relativeWeight = relativeWeight
    }
}

/// Turns accepted phase-space points of one channel into event records: the seam between the generator
/// (Integrator, which knows points and weights) and the physics (which knows momenta, flavours and colours).
public protocol EventMaker {
    /// Particle rows every event of this run has (the fixed stride of the LHEH5 `particles` dataset).
    var particlesPerEvent: Int { get }
    /// The run's process list; `EventRecord.processID` is a 1-based index into it.
    var processes: [EventProcess] { get }
    /// One record per row of `points` (n × d in the channel's unit cube); nil where the point turned out to
    /// have no valid event (zero weight). `rng` draws the subprocess and colour-flow choices.
    func events(channel: Int, points: MatrixD, relativeWeights: [Double], trials: [Int64],
                rng: inout RandomStream) throws -> [EventRecord?]
}

/// One partonic process of the run's process list (LHEH5 `procInfo`, LHE `<init>` lines).
public struct EventProcess: Sendable, Equatable {
    /// Readable name, e.g. "u d~ > e+ ve g".
    public var name: String
    /// Particle rows of its events (LHEH5 `npLO`).
    public var legs: Int
    public init(name: String, legs: Int) { self.name = name; self.legs = legs }
}

/// What an event file says about the run before any event is written.
public struct EventRunInfo: Sendable, Equatable {
    public var beamA: Int32 = 2212
    public var beamB: Int32 = 2212
    public var energyA: Double
    public var energyB: Double
    /// LHAPDF set id (e.g. 247000 for NNPDF23_lo_as_0130_qed) and group (0 with LHAPDF ids).
    public var pdfGroup: Int32 = 0
    public var pdfSetID: Int32
    public var processes: [EventProcess]
    /// True: weighted events (LHE IDWTUP = 4 / LHEH5 strategy 1); false: unweighted (3).
    public var weighted: Bool
    /// Provenance, also stored in the file: hashes of the run card and of the model file, the generation seed.
    public var cardHash: String
    public var modelHash: String
    public var seed: UInt64
    /// Free text stored with the file (e.g. the run card), may be empty.
    public var cardText: String = ""

    public init(energyA: Double, energyB: Double, pdfSetID: Int32, processes: [EventProcess], weighted: Bool,
                cardHash: String, modelHash: String, seed: UInt64) {
        self.energyA = energyA; self.energyB = energyB; self.pdfSetID = pdfSetID; self.processes = processes
        self.weighted = weighted; self.cardHash = cardHash; self.modelHash = modelHash; self.seed = seed
    }
}

/// What is known only at the end of a run: totals over all ranks.
public struct EventRunTotals: Sendable, Equatable {
    /// Cross section and error in pb, per process (same order as `EventRunInfo.processes`) and in total.
    public var crossSection: Double
    public var error: Double
    public var processCrossSections: [Double]
    public var processErrors: [Double]
    /// The maximum weight (pb) of unweighting, per process: LHEH5 `unitWeight`, LHE XMAXUP.
    public var processMaximumWeights: [Double]
    /// Factor turning each event's relative weight into its stored weight in pb.
    public var unitWeight: Double
    public var events: Int64
    public var trials: Int64

    public init(crossSection: Double, error: Double, processCrossSections: [Double], processErrors: [Double],
                processMaximumWeights: [Double], unitWeight: Double, events: Int64, trials: Int64) {
        self.crossSection = crossSection; self.error = error; self.processCrossSections = processCrossSections
        self.processErrors = processErrors; self.processMaximumWeights = processMaximumWeights
        self.unitWeight = unitWeight; self.events = events; self.trials = trials
    }
}

/// Where generated events go. Every call is collective: all ranks call `write` the same number of times
/// (ranks with nothing to write pass []), then `finish` once; on failure `abandon` leaves no file that looks
/// complete.
public protocol EventSink: AnyObject {
    func write(_ events: [EventRecord]) throws
    func finish(_ totals: EventRunTotals) throws
    func abandon()
    /// Stop without finishing: keep what was written, marked incomplete, with `state` to continue from.
    func suspend(_ state: SinkResumeState) throws
}

/// What a producer needs to continue an interrupted run exactly where it stopped, one per rank: its own
/// numbers (counters, random-stream positions, sums — opaque to the sink) and the events it had made but not
/// yet written. Every rank's `integers` and `reals` have the same lengths.
public struct SinkResumeState: Sendable, Equatable {
    public var integers: [Int64]
    public var reals: [Double]
    public var pending: [EventRecord]

    public init(integers: [Int64], reals: [Double], pending: [EventRecord]) {
        self.integers = integers; self.reals = reals; self.pending = pending
    }
}
