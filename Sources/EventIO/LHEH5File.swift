// Serial reader of the finished LHEH5 files `LHEH5Sink` writes: run description, totals and events in row
// ranges (so that 10⁶ events never sit in memory at once).
#if canImport(Glibc)
import Glibc
#endif

public final class LHEH5File {
    public let path: String
    public let run: EventRunInfo
    public let totals: EventRunTotals
    public let eventCount: Int
    public let particlesPerEvent: Int
    private let reader: H5Reader

    /// Opens a finished file; a missing file, or one whose run never finished (`.partial`, no `complete`
    /// attribute), is an error naming it.
    public init(path: String) throws {
        self.path = path
        guard access(path, F_OK) == 0 else {
            if access(path + ".partial", F_OK) == 0 { throw EventFileError.incomplete(path: path + ".partial") }
            throw EventFileError.missing(path: path)
        }
        let reader = try H5Reader(path: path)
        guard reader.hasDataset("events"), reader.hasDataset("particles") else {
            throw EventFileError.corrupt(path: path, reason: "not an LHEH5 event file (no 'events' and 'particles' datasets)")
        }
        guard reader.hasAttribute("complete"), (try? reader.int64Attribute("complete")) == 1 else {
            throw EventFileError.incomplete(path: path)
        }
        self.reader = reader
        let version = try reader.readInt64("version")
        guard version == LHEH5Layout.version.map(Int64.init) else {
            throw EventFileError.mismatch(path: path, what: "LHEH5 version", expected: "2.0.1",
                                          found: version.map(String.init).joined(separator: "."))
        }
        let header = try reader.readDoubles("init").storage
        let procInfo = try reader.readDoubles("procInfo")
        let names = try reader.stringAttribute("processNames", on: "procInfo")
        guard header.count == LHEH5Layout.initColumns.count, procInfo.cols == LHEH5Layout.procInfoColumns.count,
              names.count == procInfo.rows else {
            throw EventFileError.mismatch(path: path, what: "init/procInfo layout", expected: "10 values and P × 6 rows with names",
                                          found: "\(header.count) values, \(procInfo.rows) × \(procInfo.cols), \(names.count) names")
        }
        func integer<T: FixedWidthInteger>(_ x: Double, _ what: String) throws -> T { try LHEH5Rows.integer(x, what, path: path) }
        let processes = try (0..<procInfo.rows).map { EventProcess(name: names[$0], legs: try integer(procInfo[$0, 1], "the legs of process \($0)") as Int) }
        var run = EventRunInfo(energyA: header[2], energyB: header[3], pdfSetID: try integer(header[6], "init PDF set id"), processes: processes,
                               weighted: try integer(header[8], "init weighting strategy") as Int == LHEH5Layout.weightingStrategy(weighted: true),
                               cardHash: try reader.scalarString("cardHash"), modelHash: try reader.scalarString("modelHash"),
                               seed: try reader.uint64Attribute("seed"))
        run.beamA = try integer(header[0], "init beam A"); run.beamB = try integer(header[1], "init beam B")
        run.pdfGroup = try integer(header[4], "init PDF group")
        run.cardText = try reader.scalarString("cardText")
        self.run = run
        eventCount = try reader.shape("events").rows
        particlesPerEvent = Int(try reader.int64Attribute("particlesPerEvent"))
        totals = EventRunTotals(crossSection: try reader.doubleAttribute("crossSection"),
                                error: try reader.doubleAttribute("crossSectionError"),
                                processCrossSections: (0..<procInfo.rows).map { procInfo[$0, 3] },
                                processErrors: (0..<procInfo.rows).map { procInfo[$0, 4] },
                                processMaximumWeights: (0..<procInfo.rows).map { procInfo[$0, 5] },
                                unitWeight: try reader.doubleAttribute("unitWeight"),
                                events: try reader.int64Attribute("eventCount"), trials: try reader.int64Attribute("trialCount"))
    }

    /// Any string attribute of the file (provenance such as `weightRescaling` of combined files).
    public func attribute(_ name: String) throws -> String { try reader.scalarString(name) }

    /// Events `rows` as records; `relativeWeight` holds the stored (final) weight in pb.
    public func events(_ rows: Range<Int>) throws -> [EventRecord] {
        let eventRows = try reader.readDoubles("events", rows: rows)
        guard eventRows.rows > 0 else { return [] }
        let (first, last) = (eventRows[0, 2], eventRows[eventRows.rows - 1, 2] + eventRows[eventRows.rows - 1, 1])
        let particleRows = try reader.shape("particles").rows
        guard first.isFinite, last.isFinite, first >= 0, first <= last, last <= Double(particleRows) else {
            throw EventFileError.corrupt(path: path, reason: "events \(rows) point at particle rows \(first)..<\(last) outside 0..<\(particleRows)")
        }
        let particles = try reader.readDoubles("particles", rows: Int(first)..<Int(last))
        return try LHEH5Rows.records(events: eventRows, particles: particles, firstParticle: Int(first), firstEvent: rows.lowerBound, path: path)
    }

    /// Row ranges of at most `size` events covering the file, for streaming.
    public func chunks(of size: Int) -> [Range<Int>] {
        stride(from: 0, to: eventCount, by: max(size, 1)).map { $0..<min($0 + max(size, 1), eventCount) }
    }
}
