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
        func integer<T: FixedWidthInteger>(_ x: Double, _ what: String) throws -> T { try LHEH5File.integer(x, what, path: path) }
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
        guard eventRows.cols == LHEH5Layout.eventColumns.count else {
            throw EventFileError.corrupt(path: path, reason: "dataset 'events' has \(eventRows.cols) columns, expected \(LHEH5Layout.eventColumns.count)")
        }
        func integer<T: FixedWidthInteger>(_ x: Double, _ what: String) throws -> T { try LHEH5File.integer(x, what, path: path) }
        // Rows must lie in order inside the particles read: a broken file is an error, not a crash.
        var starts = [Int](), counts = [Int]()
        for i in 0..<eventRows.rows {
            let start: Int = try integer(eventRows[i, 2], "the first particle row of event \(rows.lowerBound + i)")
            let count: Int = try integer(eventRows[i, 1], "the particle count of event \(rows.lowerBound + i)")
            starts.append(start); counts.append(count)
        }
        let firstParticle = starts[0]
        let (particleEnd, overflow) = starts[starts.count - 1].addingReportingOverflow(counts[counts.count - 1])
        for i in 0..<eventRows.rows {
            let (end, wraps) = starts[i].addingReportingOverflow(counts[i])
            guard !overflow, !wraps, starts[i] >= firstParticle, counts[i] >= 0, end <= particleEnd else {
                throw EventFileError.corrupt(path: path, reason: "event \(rows.lowerBound + i) has particle rows \(starts[i]) + \(counts[i]) outside \(firstParticle)..<\(particleEnd)")
            }
        }
        guard firstParticle >= 0 else { throw EventFileError.corrupt(path: path, reason: "event \(rows.lowerBound) starts at particle row \(firstParticle)") }
        let particles = try reader.readDoubles("particles", rows: firstParticle..<particleEnd)
        guard particles.cols == LHEH5Layout.particleColumns.count else {
            throw EventFileError.corrupt(path: path, reason: "dataset 'particles' has \(particles.cols) columns, expected \(LHEH5Layout.particleColumns.count)")
        }
        return try (0..<eventRows.rows).map { i in
            let start = starts[i] - firstParticle
            let list = try (0..<counts[i]).map { j in
                let r = start + j
                func tag(_ column: Int) throws -> Int32 { try integer(particles[r, column], "\(LHEH5Layout.particleColumns[column]) of particle row \(firstParticle + r)") }
                return EventParticle(id: try tag(0), status: try tag(1), mother1: try tag(2), mother2: try tag(3),
                                     colour1: try tag(4), colour2: try tag(5),
                                     px: particles[r, 6], py: particles[r, 7], pz: particles[r, 8], e: particles[r, 9],
                                     m: particles[r, 10], lifetime: particles[r, 11], spin: particles[r, 12])
            }
            return EventRecord(processID: try integer(eventRows[i, 0], "the process id of event \(rows.lowerBound + i)"), particles: list,
                               trials: try integer(eventRows[i, 3], "the trials of event \(rows.lowerBound + i)"),
                               scale: eventRows[i, 4], factorizationScale: eventRows[i, 5], renormalizationScale: eventRows[i, 6],
                               alphaQED: eventRows[i, 7], alphaS: eventRows[i, 8], relativeWeight: eventRows[i, 9])
        }
    }

    /// Identifiers and counts are stored as doubles: each must be an integer of its type before it is converted.
    private static func integer<T: FixedWidthInteger>(_ x: Double, _ what: String, path: String) throws -> T {
        guard let v = T(exactly: x) else { throw EventFileError.corrupt(path: path, reason: "\(what) is \(x), not an integer") }
        return v
    }

    /// Row ranges of at most `size` events covering the file, for streaming.
    public func chunks(of size: Int) -> [Range<Int>] {
        stride(from: 0, to: eventCount, by: max(size, 1)).map { $0..<min($0 + max(size, 1), eventCount) }
    }
}
