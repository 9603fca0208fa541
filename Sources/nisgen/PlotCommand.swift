// `nisgen plot`: SVG charts and an index.html for whatever a run left behind — the model file (training
// curves, weight distributions, channel shares) and event files (kinematic distributions).
import ArgumentParser
import Report
#if canImport(Glibc)
import Glibc
#endif

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw the plots of a run (SVG + index.html) from its model and event files.",
        discussion: """
        Every input is optional, at least one is needed; plots are made for what
        the files hold:
          --model            training curves (loss, σ estimate with its error,
                             efficiency, weight spread, learning rate), VEGAS
                             vs NIS weight distributions, channel shares
          --events           jet and lepton pT and η, mT(W), m_jj, ΔR_jj, HT
                             of the unweighted events, normalised to σ
          --weighted-events  the same of a weighted sample, overlaid

        Example:
          nisgen plot --model out/model.h5 --events out/events.h5 \\
                      --output out/plots
          then open out/plots/index.html in a browser.
        """)

    @Option(help: "Model file (HDF5) of a trained sampler.") var model: String?
    @Option(help: "LHEH5 file of unweighted events.") var events: String?
    @Option(help: "LHEH5 file of weighted events, overlaid on --events.") var weightedEvents: String?
    @Option(name: .shortAndLong, help: "Folder for the SVG files and index.html (created if missing).") var output: String
    @Flag(help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        guard model != nil || events != nil || weightedEvents != nil else {
            throw ValidationError("give at least one of --model, --events, --weighted-events")
        }
    }

    func run() throws {
        let files: [PlotFile]
        do {
            files = try RunPlots.write(model: model, events: events, weightedEvents: weightedEvents, to: output)
        } catch let error as ReportError {
            fputs("nisgen plot: error: \(error)\n", stderr)
            throw ExitCode(2)
        }
        if !quiet {
            print("wrote \(files.count) plot(s) and index.html to \(output)/")
            for f in files { print("  \(f.name)  \(f.title)") }
        }
    }
}
