// `nisgen combine`: merge the LHEH5 outputs of independent generation jobs (same card and model, different
// seeds) into one file whose weights share one normalisation; optionally also as an LHE file. Serial.
import ArgumentParser
import EventIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Combine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "combine",
        abstract: "Merge the LHEH5 event files of independent jobs of one run card into one file.",
        usage: "nisgen combine --output ALL.h5 [--lhe ALL.lhe] A.h5 B.h5 …",
        discussion: "σ and δσ are combined weighted by trials: σ = Σ N_j σ_j / Σ N_j, δσ² = Σ N_j² δσ_j² / (Σ N_j)². Event weights of file j are multiplied by σ/σ_j · E_j/E (E: events) so that all weights add up to the combined σ. Files with another process list, card hash, model hash, weighting, beams or PDF, incomplete files, a repeated seed and an existing output are refused.")

    @Option(name: .shortAndLong, help: "Combined LHEH5 file to write (must not exist).") var output: String
    @Option(help: "Also write the combined events as an LHE v3 file (must not exist).") var lhe: String?
    @Argument(help: "LHEH5 files of the jobs.") var inputs: [String]

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input file") }
    }

    func run() throws {
        // Serial by design: under mpirun only rank 0 works, the others leave at once (no two writers).
        if Nisgen.launchRank > 0 { return }
        do {
            let totals = try EventFileCombiner.combine(inputs: inputs, output: output, lhe: lhe)
            print("nisgen combine: \(inputs.count) file(s), \(totals.events) events, \(totals.trials) trials → \(output)" +
                  (lhe.map { " and \($0)" } ?? ""))
            print("σ = \(plainSigma(totals.crossSection, totals.error)) pb")
        } catch {
            fputs("nisgen combine: error: \(error)\n", stderr)
            throw ExitCode(2)
        }
    }
}
