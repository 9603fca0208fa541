// `nisgen combine`: one event file from the outputs of independent generation jobs of the same run card and
// model (different seeds).
#if canImport(Glibc)
import Glibc
#endif
import Cluster

public enum EventFileCombiner {
    /// Trial-weighted combination of independent estimates: σ = Σ_j N_j σ_j / Σ_j N_j and
    /// δσ² = Σ_j N_j² δσ_j² / (Σ_j N_j)², with N_j the trials of job j.
    public static func combine(_ values: [(value: Double, error: Double, trials: Int64)]) -> (value: Double, error: Double) {
        let total = Double(values.reduce(Int64(0)) { $0 + $1.trials })
        guard total > 0 else { return (0, 0) }
        let mean = values.reduce(0.0) { $0 + Double($1.trials) * $1.value } / total
        let variance = values.reduce(0.0) { $0 + Double($1.trials) * Double($1.trials) * $1.error * $1.error } / (total * total)
        return (mean, variance.squareRoot())
    }

    /// The combined run totals of `files` (σ and δσ per process and in total as in `combine(_:)`, events and
    /// trials summed, each process's maximum weight the largest of the files'). `unitWeight` is σ / E with
    /// E the total number of events: the weight of every non-overweight event of an unweighted sample.
    public static func totals(of files: [LHEH5File]) -> EventRunTotals {
        let all = files.map(\.totals)
        let total = combine(all.map { ($0.crossSection, $0.error, $0.trials) })
        let perProcess = files[0].run.processes.indices.map { p in
            combine(all.map { ($0.processCrossSections[p], $0.processErrors[p], $0.trials) })
        }
        let events = all.reduce(Int64(0)) { $0 + $1.events }
        return EventRunTotals(crossSection: total.value, error: total.error,
                              processCrossSections: perProcess.map(\.value), processErrors: perProcess.map(\.error),
                              processMaximumWeights: files[0].run.processes.indices.map { p in all.map { $0.processMaximumWeights[p] }.max()! },
                              unitWeight: events > 0 ? total.value / Double(events) : 0,
                              events: events, trials: all.reduce(Int64(0)) { $0 + $1.trials })
    }

    /// Factor applied to the weights of file j: σ/σ_j · E_j/E, so that file j contributes the share E_j/E of
    /// the combined σ and all weights of the output add up to σ (an unweighted sample stays unweighted:
    /// every event then weighs σ/E).
    public static func weightFactor(file: EventRunTotals, combined: EventRunTotals) -> Double {
        guard file.crossSection != 0, combined.events > 0 else { return 0 }
        return combined.crossSection / file.crossSection * Double(file.events) / Double(combined.events)
    }

    /// Merge `inputs` into `output` (and, if given, an LHE copy `lhe`). Refuses: an existing output, no inputs,
    /// incomplete inputs, and inputs that differ from the first in process list, card hash, model hash,
    /// weighting, beams or PDF, or that repeat a seed. Events are streamed `chunkEvents` at a time; the output
    /// is `output.partial` until done. Returns the combined totals.
    @discardableResult
    public static func combine(inputs: [String], output: String, lhe: String? = nil, chunkEvents: Int = 8192) throws -> EventRunTotals {
        guard !inputs.isEmpty else { throw EventFileError.noInputs }
        if let lhe, lhe == output { throw EventFileError.writeFailed(path: output, reason: "--lhe and --output name the same file") }
        for path in [output] + (lhe.map { [$0] } ?? []) where access(path, F_OK) == 0 {
            throw EventFileError.outputExists(path: path)
        }
        let files = try inputs.map { try LHEH5File(path: $0) }
        try checkCompatible(files)
        let combined = totals(of: files)

        // The output keeps the first input's seed; all seeds are listed in its `seeds` attribute.
        let sink = try LHEH5Sink(path: output, run: files[0].run, particlesPerEvent: files[0].particlesPerEvent, comm: SerialCommunicator(),
                                 chunkEvents: 4096)
        let factors = files.map { weightFactor(file: $0.totals, combined: combined) }
        sink.extraAttributes = [
            ("combinedFrom", inputs.joined(separator: "\n")),
            ("seeds", files.map { String($0.run.seed) }.joined(separator: ",")),
            ("weightRescaling", "weights of input j multiplied by sigma/sigma_j * E_j/E (E: events) so that they add up to the combined sigma; factors: "
                + factors.map { String($0) }.joined(separator: ",")),
        ]
        do {
            for (file, factor) in zip(files, factors) {
                for rows in file.chunks(of: chunkEvents) {
                    // The sink multiplies by unitWeight at the end: hand it final weight / unitWeight.
                    let events = try file.events(rows).map { event -> EventRecord in
                        var e = event
                        e.relativeWeight = combined.unitWeight > 0 ? event.relativeWeight * factor / combined.unitWeight : 0
                        return e
                    }
                    try sink.write(events)
                }
            }
            try sink.finish(combined)
        } catch {
            sink.abandon()
            throw error
        }
        if let lhe {
            // The command failed if its LHE copy did: leave neither file behind.
            do { try LHEWriter.convert(try LHEH5File(path: output), to: lhe, chunkEvents: chunkEvents) } catch {
                unlink(output)
                throw error
            }
        }
        return combined
    }

    private static func checkCompatible(_ files: [LHEH5File]) throws {
        let first = files[0].run
        var seeds: [UInt64: String] = [first.seed: files[0].path]
        for file in files.dropFirst() {
            let run = file.run
            func require(_ what: String, _ expected: String, _ found: String) throws {
                guard expected == found else {
                    throw EventFileError.mismatch(path: file.path, what: "\(what) than '\(files[0].path)'", expected: expected, found: found)
                }
            }
            func describe(_ processes: [EventProcess]) -> String { processes.map { "\($0.name) (\($0.legs) legs)" }.joined(separator: "; ") }
            try require("process list", describe(first.processes), describe(run.processes))
            try require("card hash", first.cardHash, run.cardHash)
            try require("model hash", first.modelHash, run.modelHash)
            try require("weighting", first.weighted ? "weighted" : "unweighted", run.weighted ? "weighted" : "unweighted")
            try require("beams", "\(first.beamA) \(first.beamB) \(first.energyA) \(first.energyB)",
                        "\(run.beamA) \(run.beamB) \(run.energyA) \(run.energyB)")
            try require("PDF", "\(first.pdfGroup)/\(first.pdfSetID)", "\(run.pdfGroup)/\(run.pdfSetID)")
            if let other = seeds[run.seed] {
                throw EventFileError.mismatch(path: file.path, what: "seed than '\(other)' (the same seed repeats the same events)",
                                              expected: "a seed other than \(run.seed)", found: String(run.seed))
            }
            seeds[run.seed] = file.path
        }
    }
}
