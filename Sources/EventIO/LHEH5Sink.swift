// LHEH5 v2.0.1 event files (arXiv:2309.13154), written by all ranks
// collectively: each `write` appends every rank's block at prefix-sum offsets; `finish` fixes the weights once the
// run's normalisation is known and adds the header datasets and provenance.
import Cluster

/// Errors of the event-file layer; each names the file or the event that is wrong.
public enum EventFileError: Error, CustomStringConvertible, Equatable {
    case invalidRun(String)
    case invalidEvent(String)
    case totalsMismatch(String)
    case sinkClosed(path: String)
    case outputExists(path: String)
    case missing(path: String)
    case incomplete(path: String)
    case mismatch(path: String, what: String, expected: String, found: String)
    case noInputs
    case corrupt(path: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidRun(let s): return "invalid run description: \(s)"
        case .invalidEvent(let s): return "invalid event: \(s)"
        case .totalsMismatch(let s): return "run totals do not match the events written: \(s)"
        case .sinkClosed(let p): return "event file '\(p)' is already finished or abandoned"
        case .outputExists(let p): return "output '\(p)' already exists: refusing to overwrite it"
        case .missing(let p): return "event file '\(p)' does not exist"
        case .incomplete(let p): return "event file '\(p)' is incomplete (an unfinished or failed run)"
        case .mismatch(let p, let w, let e, let f): return "event file '\(p)' has a different \(w): expected \(e), found \(f)"
        case .noInputs: return "no input files given"
        case .corrupt(let p, let r): return "event file '\(p)' is inconsistent: \(r)"
        case .writeFailed(let p, let r): return "cannot write '\(p)': \(r)"
        }
    }
}

/// Dataset and attribute names of the LHEH5 files nisgen writes (column lists as readers expect them).
public enum LHEH5Layout {
    public static let version: [Int32] = [2, 0, 1]
    public static let versionColumns = ["major", "minor", "patch"]
    public static let initColumns = ["beamA", "beamB", "energyA", "energyB", "PDFgroupA", "PDFgroupB",
                                     "PDFsetA", "PDFsetB", "weightingStrategy", "numProcesses"]
    public static let procInfoColumns = ["procId", "npLO", "npNLO", "xSection", "error", "unitWeight"]
    public static let eventColumns = ["pid", "nparticles", "start", "trials", "scale", "fscale", "rscale",
                                      "aqed", "aqcd", "weight"]
    public static let particleColumns = ["id", "status", "mother1", "mother2", "color1", "color2",
                                         "px", "py", "pz", "e", "m", "lifetime", "spin"]
    static let weightColumn = 9
    /// LHEH5 weighting strategies (the LHE IDWTUP of the same run is 3 or 4).
    static func weightingStrategy(weighted: Bool) -> Int { weighted ? 1 : 3 }

    /// What the stored weights mean, also written into every file.
    public static let weightConvention =
        "event weights in pb; their sum over the file is the cross section (attribute crossSection)"
}

/// Writes one LHEH5 file from all ranks. Every call is collective (see `EventSink`).
///
/// Usage by the generator, on every rank:
/// ```
/// let sink = try LHEH5Sink(path: "run.h5", run: info, particlesPerEvent: maker.particlesPerEvent, comm: comm)
/// try sink.write(batch)            // as often as needed; [] on ranks with nothing
/// try sink.finish(totals)          // weights become relativeWeight × totals.unitWeight; file published
/// ```
/// On an error call `abandon()` on every rank: the `.partial` file is removed.
public final class LHEH5Sink: EventSink {
    public let path: String
    public let run: EventRunInfo
    public let particlesPerEvent: Int
    /// Further string attributes of the file, written by `finish` (e.g. what `combine` did to the weights).
    public var extraAttributes: [(name: String, value: String)] = []

    let comm: Communicator
    var file: ParallelH5File?
    /// The event rows this rank wrote and their relative weights, to rewrite the weight column in `finish`.
    var blocks: [(start: Int, count: Int)] = []
    var relativeWeights: [Double] = []

    /// Collectively create `path` (as `path.partial`). `particlesPerEvent` is the fixed stride of `particles`
    /// rows per event and must equal the largest `legs` of the processes: Pythia's LHEH5 reader assumes that.
    /// The run's provenance is written at once, with `complete` = 0, so a partial file says what it is.
    public convenience init(path: String, run: EventRunInfo, particlesPerEvent: Int, comm: Communicator, chunkEvents: Int = 4096) throws {
        try Self.checkLayout(run: run, particlesPerEvent: particlesPerEvent)
        let file = try ParallelH5File(creating: path, comm: comm)
        do {
            let chunk = max(chunkEvents, 1)
            try file.createDataset("events", columns: LHEH5Layout.eventColumns.count, chunkRows: chunk)
            // ~1 MB particle chunks at most: large enough for sequential writes, small enough for the chunk cache.
            try file.createDataset("particles", columns: LHEH5Layout.particleColumns.count,
                                   chunkRows: min(chunk * particlesPerEvent, 8192))
            try Self.writeProvenance(file, run: run, particlesPerEvent: particlesPerEvent)
        } catch {
            file.abandon()
            throw error
        }
        self.init(path: path, run: run, particlesPerEvent: particlesPerEvent, comm: comm, file: file)
    }

    init(path: String, run: EventRunInfo, particlesPerEvent: Int, comm: Communicator, file: ParallelH5File,
                 blocks: [(start: Int, count: Int)] = [], relativeWeights: [Double] = []) {
        self.path = path
        self.run = run
        self.particlesPerEvent = particlesPerEvent
        self.comm = comm
        self.file = file
        self.blocks = blocks
        self.relativeWeights = relativeWeights
    }

    private static func checkLayout(run: EventRunInfo, particlesPerEvent: Int) throws {
        guard !run.processes.isEmpty else { throw EventFileError.invalidRun("the process list is empty") }
        if let p = run.processes.first(where: { $0.legs < 2 }) {
            throw EventFileError.invalidRun("process '\(p.name)' has \(p.legs) legs")
        }
        let maxLegs = run.processes.map(\.legs).max()!
        guard particlesPerEvent == maxLegs else {
            throw EventFileError.invalidRun("particlesPerEvent = \(particlesPerEvent) but the processes have at most \(maxLegs) legs")
        }
    }

    private static func writeProvenance(_ file: ParallelH5File, run: EventRunInfo, particlesPerEvent: Int) throws {
        try file.setAttribute("generator", value: "nisgen")
        try file.setAttribute("cardHash", value: run.cardHash)
        try file.setAttribute("modelHash", value: run.modelHash)
        try file.setAttribute("seed", value: run.seed)
        try file.setAttribute("cardText", value: run.cardText)
        try file.setAttribute("weighting", value: run.weighted ? "weighted" : "unweighted")
        try file.setAttribute("particlesPerEvent", value: Int64(particlesPerEvent))
        try file.setAttribute("weightConvention", value: LHEH5Layout.weightConvention)
        try file.setAttribute("complete", value: Int64(0))
        try file.setAttribute("interrupted", value: Int64(0))
    }

    func problem(with event: EventRecord) -> String? {
        guard (1...run.processes.count).contains(event.processID) else {
            return "process id \(event.processID) outside 1...\(run.processes.count)"
        }
        let legs = run.processes[event.processID - 1].legs
        guard event.particles.count == legs else {
            return "process \(event.processID) has \(legs) legs but the event has \(event.particles.count) particles"
        }
        guard event.relativeWeight.isFinite, event.trials >= 1 else {
            return "weight \(event.relativeWeight) and trials \(event.trials) must be finite and ≥ 1"
        }
        return nil
    }

    /// Append this rank's events (collective; [] on ranks with nothing this round).
    public func write(_ events: [EventRecord]) throws {
        guard let file else { throw EventFileError.sinkClosed(path: path) }
        let localProblem = events.lazy.compactMap { self.problem(with: $0) }.first
        guard comm.allAgree(localProblem == nil) else {
            throw EventFileError.invalidEvent(localProblem ?? "an event written on another rank is invalid")
        }
        let firstParticleRow = try file.append("particles", rows: LHEH5Rows.particleRows(events, particlesPerEvent: particlesPerEvent))
        let firstEventRow = try file.append("events", rows: LHEH5Rows.eventRows(events, firstParticleRow: firstParticleRow,
                                                                               particlesPerEvent: particlesPerEvent))
        guard !events.isEmpty else { return }
        if let last = blocks.last, last.start + last.count == firstEventRow {
            blocks[blocks.count - 1].count += events.count
        } else {
            blocks.append((firstEventRow, events.count))
        }
        relativeWeights += events.map(\.relativeWeight)
    }

    /// Collectively finish: final weights, header datasets, column names, provenance; then publish the file.
    /// On failure the partial file is removed.
    public func finish(_ totals: EventRunTotals) throws {
        guard let file else { throw EventFileError.sinkClosed(path: path) }
        do {
            try finish(file, totals)
            self.file = nil
        } catch {
            abandon()
            throw error
        }
    }

    private func finish(_ file: ParallelH5File, _ totals: EventRunTotals) throws {
        let nProcesses = run.processes.count
        guard [totals.processCrossSections, totals.processErrors, totals.processMaximumWeights].allSatisfy({ $0.count == nProcesses }) else {
            throw EventFileError.totalsMismatch("per-process totals must have \(nProcesses) entries")
        }
        let written = file.rowCount("events") ?? 0
        guard totals.events == Int64(written) else {
            throw EventFileError.totalsMismatch("totals.events = \(totals.events) but \(written) events were written")
        }
        try file.overwriteColumn("events", column: LHEH5Layout.weightColumn, rowBlocks: blocks,
                                 values: relativeWeights.map { $0 * totals.unitWeight })

        try file.writeSmallDataset("version", shape: [3], values: LHEH5Layout.version)
        let initRow: [Double] = [Double(run.beamA), Double(run.beamB), run.energyA, run.energyB,
                                 Double(run.pdfGroup), Double(run.pdfGroup), Double(run.pdfSetID), Double(run.pdfSetID),
                                 Double(LHEH5Layout.weightingStrategy(weighted: run.weighted)), Double(nProcesses)]
        try file.writeSmallDataset("init", shape: [initRow.count], values: initRow)
        var procRows: [Double] = []
        for (i, p) in run.processes.enumerated() {
            procRows += [Double(i + 1), Double(p.legs), -1, totals.processCrossSections[i], totals.processErrors[i],
                         totals.processMaximumWeights[i]]
        }
        try file.writeSmallDataset("procInfo", shape: [nProcesses, LHEH5Layout.procInfoColumns.count], values: procRows)

        for (dataset, columns) in [("version", LHEH5Layout.versionColumns), ("init", LHEH5Layout.initColumns),
                                   ("procInfo", LHEH5Layout.procInfoColumns), ("events", LHEH5Layout.eventColumns),
                                   ("particles", LHEH5Layout.particleColumns)] {
            try file.setStringAttribute("properties", on: dataset, values: columns, variableLength: true)
        }
        try file.setStringAttribute("processNames", on: "procInfo", values: run.processes.map(\.name), variableLength: true)

        try file.setAttribute("eventCount", value: Int64(written))
        try file.setAttribute("trialCount", value: totals.trials)
        try file.setAttribute("crossSection", value: totals.crossSection)
        try file.setAttribute("crossSectionError", value: totals.error)
        try file.setAttribute("unitWeight", value: totals.unitWeight)
        for (name, value) in extraAttributes { try file.setAttribute(name, value: value) }
        try file.setAttribute("complete", value: Int64(1))
        try file.close()
    }

    /// Remove the partial file (call on every rank after an error).
    public func abandon() {
        file?.abandon()
        file = nil
        blocks = []
        relativeWeights = []
    }
}
