// Interrupting and resuming an LHEH5 file: `suspend` leaves `<path>.partial` (complete = 0, interrupted = 1)
// with every rank's resume record beside the events; `resume` reopens it on the same number of ranks, hands
// each rank its record back and removes it, so the run continues as if it had never stopped.
import Cluster
import Numerics
#if canImport(Glibc)
import Glibc
#endif

extension LHEH5Sink {
    /// Names of the resume record's datasets (rows in rank order).
    enum ResumeRecord {
        static let integers = "resume_integers"
        static let reals = "resume_reals"
        static let events = "resume_events"
        static let particles = "resume_particles"
        static let all = [integers, reals, events, particles]
        /// Sink's own leading integers: pending events, event rows and particle rows at the stop.
        static let sinkIntegers = 3
    }

    /// Collectively stop: write the resume record, mark the file interrupted and close it as `.partial`.
    public func suspend(_ state: SinkResumeState) throws {
        guard let file else { throw EventFileError.sinkClosed(path: path) }
        do {
            let widths = [Int64(state.integers.count), Int64(state.reals.count)]
            var low = widths, high = widths
            comm.allreduce(&low, .min); comm.allreduce(&high, .max)
            guard low == high else { throw EventFileError.invalidRun("ranks hold resume states of different lengths") }
            let localProblem = state.pending.lazy.compactMap { self.problem(with: $0) }.first
            guard comm.allAgree(localProblem == nil) else {
                throw EventFileError.invalidEvent(localProblem ?? "a pending event on another rank is invalid")
            }
            let rows = [Int64(state.pending.count), Int64(file.rowCount("events") ?? 0), Int64(file.rowCount("particles") ?? 0)]
            try file.createDataset(ResumeRecord.integers, columns: ResumeRecord.sinkIntegers + state.integers.count, type: .int64, chunkRows: 64)
            try file.append(ResumeRecord.integers, rows: rows + state.integers)
            try file.createDataset(ResumeRecord.reals, columns: max(state.reals.count, 1), chunkRows: 64)
            try file.append(ResumeRecord.reals, rows: state.reals.isEmpty ? [0] : state.reals)
            try file.createDataset(ResumeRecord.events, columns: LHEH5Layout.eventColumns.count, chunkRows: 256)
            try file.createDataset(ResumeRecord.particles, columns: LHEH5Layout.particleColumns.count, chunkRows: 256 * particlesPerEvent)
            let first = try file.append(ResumeRecord.particles, rows: LHEH5Rows.particleRows(state.pending, particlesPerEvent: particlesPerEvent))
            try file.append(ResumeRecord.events, rows: LHEH5Rows.eventRows(state.pending, firstParticleRow: first, particlesPerEvent: particlesPerEvent))
            try file.setAttribute("resumeRanks", value: Int64(comm.size))
            try file.setAttribute("interrupted", value: Int64(1))
            try file.suspend()
            self.file = nil
        } catch {
            abandon()
            throw error
        }
    }

    /// Collectively reopen the interrupted `<path>.partial` of the same run (`run` must match its card hash,
    /// model hash, seed and weighting) on the rank count it stopped on; returns the sink and this rank's state.
    public static func resume(path: String, run: EventRunInfo, particlesPerEvent: Int,
                              comm: Communicator) throws -> (sink: LHEH5Sink, state: SinkResumeState) {
        let partial = path + ".partial"
        var local: Result<(SinkResumeState, rows: [Int64]), Error>
        do { local = .success(try readRecord(partial, run: run, particlesPerEvent: particlesPerEvent, comm: comm)) }
        catch { local = .failure(error) }
        // All ranks read the same file: they fail alike, but agree anyway so no rank is left waiting.
        let ok = comm.allAgree({ if case .success = local { return true } else { return false } }())
        guard ok, case .success(let (state, rows)) = local else {
            if case .failure(let error) = local { throw error }
            throw EventFileError.corrupt(path: partial, reason: "another rank could not read its resume record")
        }
        let file = try ParallelH5File(resuming: path, comm: comm)
        do {
            try file.openDataset("events")
            try file.openDataset("particles")
            guard comm.allAgree(Int64(file.rowCount("events") ?? -1) == rows[1] && Int64(file.rowCount("particles") ?? -1) == rows[2]) else {
                throw EventFileError.corrupt(path: partial, reason: "it holds \(file.rowCount("events") ?? 0) events, its resume record \(rows[1])")
            }
            // The relative weights written before the stop, in even slices over ranks, for `finish`.
            let n = Int(rows[1]), m = comm.size, r = comm.rank
            let slice = (start: n * r / m, count: n * (r + 1) / m - n * r / m)
            let weights = try file.readColumn("events", column: LHEH5Layout.weightColumn, rowBlocks: [slice])
            for name in ResumeRecord.all { try file.removeDataset(name) }
            try file.setAttribute("interrupted", value: Int64(0))
            let sink = LHEH5Sink(path: path, run: run, particlesPerEvent: particlesPerEvent, comm: comm, file: file,
                                 blocks: slice.count > 0 ? [slice] : [], relativeWeights: weights)
            return (sink, state)
        } catch {
            try? file.suspend()
            throw error
        }
    }

    /// This rank's part of the resume record, read serially before the file is reopened for writing.
    private static func readRecord(_ partial: String, run: EventRunInfo, particlesPerEvent: Int,
                                   comm: Communicator) throws -> (SinkResumeState, rows: [Int64]) {
        guard access(partial, F_OK) == 0 else {
            throw EventFileError.missing(path: partial)
        }
        let reader = try H5Reader(path: partial)
        func mismatch(_ what: String, _ expected: String, _ found: String) -> EventFileError {
            .mismatch(path: partial, what: what, expected: expected, found: found)
        }
        guard (try? reader.int64Attribute("interrupted")) == 1, ResumeRecord.all.allSatisfy(reader.hasDataset) else {
            throw EventFileError.corrupt(path: partial, reason: "it holds no resume record (the run did not stop cleanly, e.g. it was killed): delete it and start again")
        }
        let cardHash = try reader.scalarString("cardHash"), modelHash = try reader.scalarString("modelHash")
        let seed = try reader.uint64Attribute("seed"), weighting = try reader.scalarString("weighting")
        guard cardHash == run.cardHash else { throw mismatch("card hash", run.cardHash, cardHash) }
        guard modelHash == run.modelHash else { throw mismatch("model", run.modelHash, modelHash) }
        guard seed == run.seed else { throw mismatch("seed", String(run.seed), String(seed)) }
        let expectedWeighting = run.weighted ? "weighted" : "unweighted"
        guard weighting == expectedWeighting else { throw mismatch("weighting", expectedWeighting, weighting) }
        let ranks = try reader.int64Attribute("resumeRanks")
        guard ranks == Int64(comm.size) else {
            throw EventFileError.mismatch(path: partial, what: "number of ranks (a run resumes on the ranks it stopped on)",
                                          expected: String(ranks), found: String(comm.size))
        }
        let (rowCount, width) = try reader.shape(ResumeRecord.integers)
        guard rowCount == comm.size, width >= ResumeRecord.sinkIntegers else {
            throw EventFileError.corrupt(path: partial, reason: "its resume record has \(rowCount) rows of \(width) integers for \(comm.size) ranks")
        }
        let integers = try reader.readInt64(ResumeRecord.integers)
        let reals = try reader.readDoubles(ResumeRecord.reals)
        guard reals.rows == comm.size else { throw EventFileError.corrupt(path: partial, reason: "its resume record has \(reals.rows) rows of numbers for \(comm.size) ranks") }
        let mine = Array(integers[(comm.rank * width)..<((comm.rank + 1) * width)])
        let pendingBefore = (0..<comm.rank).reduce(Int64(0)) { $0 + integers[$1 * width] }
        let pendingCount = Int(mine[0])
        let pendingRows = try reader.shape(ResumeRecord.events).rows
        guard pendingCount >= 0, pendingBefore >= 0, Int(pendingBefore) + pendingCount <= pendingRows else {
            throw EventFileError.corrupt(path: partial, reason: "its resume record lists more pending events than it holds")
        }
        let eventRows = try reader.readDoubles(ResumeRecord.events, rows: Int(pendingBefore)..<(Int(pendingBefore) + pendingCount))
        var pending: [EventRecord] = []
        if pendingCount > 0 {
            let first = eventRows[0, 2], end = eventRows[pendingCount - 1, 2] + eventRows[pendingCount - 1, 1]
            let available = try reader.shape(ResumeRecord.particles).rows
            guard first.isFinite, end.isFinite, first >= 0, first <= end, end <= Double(available) else {
                throw EventFileError.corrupt(path: partial, reason: "its pending events point outside their particle rows")
            }
            let particles = try reader.readDoubles(ResumeRecord.particles, rows: Int(first)..<Int(end))
            pending = try LHEH5Rows.records(events: eventRows, particles: particles, firstParticle: Int(first),
                                            firstEvent: Int(pendingBefore), path: partial)
        }
        let state = SinkResumeState(integers: Array(mine[ResumeRecord.sinkIntegers...]),
                                    reals: Array(reals.storage[(comm.rank * reals.cols)..<((comm.rank + 1) * reals.cols)]),
                                    pending: pending)
        return (state, Array(mine[..<ResumeRecord.sinkIntegers]))
    }
}
