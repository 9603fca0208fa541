// The plots of a run, from whatever files there are: training curves, VEGAS vs NIS weight distributions and
// channel shares from the model file; kinematic distributions from event files; one index.html showing all.
//
// Model-file datasets read (all optional, float64):
//   training_history      N × 7: step, loss, cross_section, error, rel_std, efficiency, learning_rate
//                         (attribute `properties` names the columns; when present it picks them by name)
//   survey_weights_vegas  N × 1, survey_weights_nis N × 1: weights of fresh survey points
//   channel_integrals     C × 1, channel_alpha_mean C × 1
import EventIO
import Foundation
import Numerics

public enum ReportError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String, what: String)
    case unreadable(path: String, what: String)
    case malformed(path: String, reason: String)
    case nothingToPlot(path: String, expected: [String])
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let p, let w): return "\(w) '\(p)' does not exist"
        case .unreadable(let p, let w): return "cannot read \(w) '\(p)' as HDF5 (not an HDF5 file, damaged, or not readable)"
        case .malformed(let p, let r): return "'\(p)': \(r)"
        case .nothingToPlot(let p, let e): return "'\(p)' holds none of the datasets there are plots for (\(e.joined(separator: ", ")))"
        case .cannotWrite(let p, let r): return "cannot write '\(p)': \(r)"
        }
    }

    /// Opens an HDF5 file with an error that says which of the inputs is at fault.
    static func open(_ path: String, what: String) throws -> H5Reader {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw missingFile(path: path, what: what) }
        guard !isDirectory.boolValue, let r = try? H5Reader(path: path) else { throw unreadable(path: path, what: what) }
        return r
    }
}

public struct TrainingHistoryRow: Sendable, Equatable {
    public var step: Double
    public var loss: Double
    /// σ estimate (pb) and its error.
    public var integral: Double
    public var error: Double
    public var relativeStdDev: Double
    public var efficiency: Double
    public var learningRate: Double

    public init(step: Double, loss: Double, integral: Double, error: Double, relativeStdDev: Double,
                efficiency: Double, learningRate: Double) {
        self.step = step; self.loss = loss; self.integral = integral; self.error = error
        self.relativeStdDev = relativeStdDev; self.efficiency = efficiency; self.learningRate = learningRate
    }
}

/// One chart written to the output folder.
public struct PlotFile: Sendable, Equatable {
    /// File name inside the output folder, e.g. "training_loss.svg".
    public var name: String
    public var title: String
    public var caption: String
    public var section: String
}

public enum RunPlots {
    public static let historyColumns = ["step", "loss", "cross_section", "error", "rel_std", "efficiency", "learning_rate"]
    public static let modelDatasets = ["training_history", "survey_weights_vegas", "survey_weights_nis",
                                       "channel_integrals", "channel_alpha_mean"]

    // MARK: entry point

    /// Writes the SVGs for every input given, and index.html, into `outputDirectory` (created if needed).
    /// Returns the charts written, in the order index.html shows them.
    @discardableResult
    public static func write(model: String?, events: String?, weightedEvents: String?,
                             to outputDirectory: String) throws -> [PlotFile] {
        // Read and check every input before writing anything: a bad file should not leave half a report.
        var charts: [(PlotFile, SVGChart)] = []
        if let model { charts += try modelCharts(path: model) }
        if events != nil || weightedEvents != nil {
            charts += try kinematicCharts(unweighted: events, weighted: weightedEvents)
        }
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw ReportError.cannotWrite(path: outputDirectory, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        for (file, chart) in charts { try writeText(chart.svg(), to: outputDirectory + "/" + file.name) }
        let inputs = [("model", model), ("events", events), ("weighted events", weightedEvents)]
            .compactMap { name, path in path.map { (name, $0) } }
        try writeText(indexHTML(charts.map(\.0), inputs: inputs), to: outputDirectory + "/index.html")
        return charts.map(\.0)
    }

    // MARK: model file

    static func modelCharts(path: String) throws -> [(PlotFile, SVGChart)] {
        let reader = try ReportError.open(path, what: "model file")
        guard modelDatasets.contains(where: reader.hasDataset) else {
            throw ReportError.nothingToPlot(path: path, expected: modelDatasets)
        }
        var out: [(PlotFile, SVGChart)] = []
        if let rows = try readTrainingHistory(reader) { out += trainingCharts(rows) }
        let vegas = try column(reader, "survey_weights_vegas"), nis = try column(reader, "survey_weights_nis")
        if vegas != nil || nis != nil, let w = weightDistribution(vegas: vegas, nis: nis) { out.append(w) }
        let integrals = try column(reader, "channel_integrals"), alpha = try column(reader, "channel_alpha_mean")
        if integrals != nil || alpha != nil, let c = channelShares(integrals: integrals, alphaMean: alpha) { out.append(c) }
        return out
    }

    /// The training_history dataset as rows; nil when the file has none.
    public static func readTrainingHistory(_ reader: H5Reader) throws -> [TrainingHistoryRow]? {
        guard reader.hasDataset("training_history") else { return nil }
        let m = try reader.readDoubles("training_history")
        var index = Array(0..<historyColumns.count)
        if let names = try? reader.stringAttribute("properties", on: "training_history") {
            for (k, want) in historyColumns.enumerated() {
                guard let j = names.firstIndex(of: want) else {
                    throw ReportError.malformed(path: reader.path, reason: "training_history has no column '\(want)' (columns: \(names.joined(separator: ", ")))")
                }
                index[k] = j
            }
        }
        guard m.rows == 0 || m.cols > index.max()! else {
            throw ReportError.malformed(path: reader.path, reason: "training_history has \(m.cols) columns, needs \(historyColumns.count): \(historyColumns.joined(separator: ", "))")
        }
        return (0..<m.rows).map { r in
            TrainingHistoryRow(step: m[r, index[0]], loss: m[r, index[1]], integral: m[r, index[2]], error: m[r, index[3]],
                               relativeStdDev: m[r, index[4]], efficiency: m[r, index[5]], learningRate: m[r, index[6]])
        }
    }

    private static func column(_ reader: H5Reader, _ name: String) throws -> [Double]? {
        guard reader.hasDataset(name) else { return nil }
        let m = try reader.readDoubles(name)
        guard m.cols == 1 || m.rows == 0 else {
            throw ReportError.malformed(path: reader.path, reason: "dataset '\(name)' has \(m.cols) columns, expected 1")
        }
        return m.storage
    }

    /// Loss, σ estimate with its error band, unweighting efficiency, relative standard deviation, learning rate.
    public static func trainingCharts(_ rows: [TrainingHistoryRow]) -> [(PlotFile, SVGChart)] {
        guard !rows.isEmpty else { return [] }
        let steps = rows.map(\.step)
        let stepAxis = Axis("training step")
        func file(_ key: String, _ title: String, _ caption: String) -> PlotFile {
            PlotFile(name: "training_\(key).svg", title: title, caption: caption, section: "Training")
        }
        var out: [(PlotFile, SVGChart)] = []

        let loss = rows.map(\.loss)
        let positive = loss.allSatisfy { !$0.isFinite || $0 > 0 }
        let spread = (dataRange(loss, scale: .log).map { $0.upperBound / $0.lowerBound } ?? 1)
        let lossChart = LineChart(title: "Training loss", xAxis: stepAxis,
                                  yAxis: Axis("loss", scale: positive && spread > 20 ? .log : .linear),
                                  series: [LineSeries(name: "loss", x: steps, y: loss)])
        out.append((file("loss", "Training loss", "Loss per training step (\(rows.count) steps)."), lossChart))

        let last = rows.last!
        let sigma = rows.map(\.integral), err = rows.map { abs($0.error) }
        var sigmaAxis = Axis("σ estimate", unit: "pb")
        sigmaAxis.range = robustRange(lower: zip(sigma, err).map(-), upper: zip(sigma, err).map(+))
        let sigmaChart = LineChart(title: "Cross-section estimate during training", xAxis: stepAxis, yAxis: sigmaAxis,
                                   series: [LineSeries(name: "σ ± δσ", x: steps, y: sigma,
                                                       lower: zip(sigma, err).map(-), upper: zip(sigma, err).map(+))])
        out.append((file("cross_section", "Cross-section estimate",
                         "σ estimate of each step with its error band; last step \(Format.measurement(last.integral, error: last.error, unit: "pb")). The axis follows the later steps, so very early estimates may lie outside it."),
                    sigmaChart))

        let eff = rows.map { $0.efficiency * 100 }
        let effChart = LineChart(title: "Unweighting efficiency during training", xAxis: stepAxis,
                                 yAxis: Axis("unweighting efficiency", unit: "%"),
                                 series: [LineSeries(name: "efficiency", x: steps, y: eff)])
        out.append((file("efficiency", "Unweighting efficiency", "Unweighting efficiency ⟨w⟩/w_max per step; last step \(Format.efficiency(last.efficiency))."), effChart))

        let rsd = rows.map(\.relativeStdDev)
        let rsdChart = LineChart(title: "Relative standard deviation of the weights", xAxis: stepAxis,
                                 yAxis: Axis("std(w)/⟨w⟩"), series: [LineSeries(name: "relative std. dev.", x: steps, y: rsd)])
        out.append((file("rel_std", "Relative standard deviation", "Per-point relative standard deviation of the weights; it sets the error at a given number of points. Last step \(Format.significant(last.relativeStdDev, digits: 3))."), rsdChart))

        let lrChart = LineChart(title: "Learning rate", xAxis: stepAxis, yAxis: Axis("learning rate"),
                                series: [LineSeries(name: "learning rate", x: steps, y: rows.map(\.learningRate))])
        out.append((file("learning_rate", "Learning rate", "Optimiser learning rate per step (schedule)."), lrChart))
        return out
    }

    /// A y range that shows the later part of a curve in detail: the lower and upper 5 % of the band over the
    /// last 90 % of the points, padded by a quarter of the span. nil (automatic) for short curves.
    static func robustRange(lower: [Double], upper: [Double]) -> ClosedRange<Double>? {
        guard lower.count >= 20 else { return nil }
        let skip = lower.count / 10
        let lo = lower.dropFirst(skip).filter(\.isFinite).sorted(), hi = upper.dropFirst(skip).filter(\.isFinite).sorted()
        guard !lo.isEmpty, !hi.isEmpty else { return nil }
        let a = lo[lo.count / 20], b = hi[hi.count - 1 - hi.count / 20]
        guard b > a else { return nil }
        let pad = (b - a) * 0.25
        return Ticks.niceRange(a - pad, b + pad, target: 5)
    }

    /// Log-log histogram of w/⟨w⟩ for the VEGAS and NIS survey weights.
    public static func weightDistribution(vegas: [Double]?, nis: [Double]?) -> (PlotFile, SVGChart)? {
        let samples = [("VEGAS", vegas), ("NIS", nis)].compactMap { name, w in w.map { (name, $0) } }
        let ratios: [(String, [Double], Int)] = samples.compactMap { name, w in
            let finite = w.filter(\.isFinite).map(abs)
            let mean = finite.reduce(0, +) / Double(max(finite.count, 1))
            guard mean > 0 else { return nil }
            return (name, finite.map { $0 / mean }, finite.count)
        }
        guard !ratios.isEmpty else { return nil }
        let positive = ratios.flatMap { $0.1.filter { $0 > 0 } }
        guard let r = dataRange(positive, scale: .log) else { return nil }
        // Whole decades, 10 bins each; below 10⁻⁸ ⟨w⟩ nothing matters for unweighting.
        let lo = pow(10, floor(log10(max(r.lowerBound, 1e-8)))), hi = pow(10, ceil(log10(r.upperBound) + 1e-12))
        let decades = Int((log10(hi) - log10(lo)).rounded())
        var series: [HistogramSeries] = []
        var notes: [String] = []
        for (name, x, n) in ratios {
            var h = Histogram(bins: max(decades, 1) * 10, lo: lo, hi: hi, logarithmic: true)
            for v in x where v > 0 { h.fill(v) }
            series.append(h.series("\(name) (\(Format.count(n)) points)", errors: false))
            let zeros = x.filter { $0 == 0 }.count
            let eff = 1 / (x.max() ?? 1)
            notes.append("\(name): \(Format.count(n)) points, \(Format.count(zeros)) with zero weight (not shown), ⟨w⟩/max w = \(Format.efficiency(eff))")
        }
        let chart = HistogramChart(title: "Weight distribution", xAxis: Axis("w/⟨w⟩", scale: .log),
                                   yAxis: Axis("fraction of points per bin", scale: .log), series: series, display: .fractions)
        let file = PlotFile(name: "weights.svg", title: "Weight distributions",
                            caption: "Survey weights relative to their mean, 10 bins per decade; narrower is better for unweighting. " + notes.joined(separator: "; ") + ".",
                            section: "Sampler")
        return (file, chart)
    }

    /// Per-channel share of the integral and mean channel weight α, as grouped bars in %.
    public static func channelShares(integrals: [Double]?, alphaMean: [Double]?) -> (PlotFile, SVGChart)? {
        let count = max(integrals?.count ?? 0, alphaMean?.count ?? 0)
        guard count > 0 else { return nil }
        var series: [BarSeries] = []
        if let integrals {
            let total = integrals.reduce(0, +)
            series.append(BarSeries(name: "share of σ", values: integrals.map { total != 0 ? 100 * $0 / total : 0 }))
        }
        if let alphaMean { series.append(BarSeries(name: "mean channel weight ⟨α⟩", values: alphaMean.map { 100 * $0 })) }
        let chart = BarChart(title: "Integration channels", categories: (1...count).map(String.init), xTitle: "channel",
                             yAxis: Axis("share", unit: "%"), series: series)
        var caption = "Per channel (\(count) channels): "
        caption += [integrals != nil ? "its share of the total integral" : nil,
                    alphaMean != nil ? "the mean of its channel weight α over the survey" : nil].compactMap { $0 }.joined(separator: " and ")
        caption += ". A channel whose ⟨α⟩ far exceeds its σ share spends points where little cross section is."
        return (PlotFile(name: "channels.svg", title: "Channels", caption: caption, section: "Sampler"), chart)
    }

    // MARK: event files

    static func kinematicCharts(unweighted: String?, weighted: String?) throws -> [(PlotFile, SVGChart)] {
        var samples: [(name: String, h: KinematicHistograms, dashed: Bool)] = []
        if let unweighted {
            let h = try LHEH5EventReader(path: unweighted).kinematicHistograms()
            samples.append(("unweighted events (\(Format.count(h.events)))", h, false))
        }
        if let weighted {
            let h = try LHEH5EventReader(path: weighted).kinematicHistograms()
            samples.append(("weighted events (\(Format.count(h.events)))", h, true))
        }
        let totals = samples.map { "\($0.name): Σw = \(Format.significant($0.h.sumOfWeights, digits: 5)) pb" }.joined(separator: "; ")
        return KinematicObservable.all.map { o in
            let series = samples.map { $0.h.histograms[o.key]!.series($0.name, dashed: $0.dashed) }
            let unit = o.unit.map { "pb/\($0)" } ?? "pb"
            let chart = HistogramChart(title: o.title, xAxis: Axis(o.symbol, unit: o.unit),
                                       yAxis: Axis("dσ/d" + o.symbol, unit: unit, scale: o.logY ? .log : .linear),
                                       series: series, display: .density)
            let outside = samples.map { s -> String in
                let h = s.h.histograms[o.key]!
                let frac = s.h.sumOfWeights != 0 ? (h.underflow + h.overflow) / s.h.sumOfWeights : 0
                return Format.efficiency(frac)
            }.joined(separator: " / ")
            let caption = "dσ/d\(o.symbol), each event entering with its stored weight, so a histogram integrates to its σ. \(totals). Outside the range shown: \(outside) of σ."
            return (PlotFile(name: "kin_\(o.key).svg", title: o.title, caption: caption, section: "Events"), chart)
        }
    }

    // MARK: output

    static func indexHTML(_ files: [PlotFile], inputs: [(String, String)]) -> String {
        let e = SVGDocument.escape
        var s = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>nisgen run plots</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
        .grid { display: flex; flex-wrap: wrap; gap: 1.5em; }
        figure { margin: 0; width: 660px; max-width: 100%; }
        figure img { width: 100%; border: 1px solid #ddd; }
        figcaption { font-size: 0.9em; line-height: 1.35; margin-top: 0.4em; }
        code { background: #f3f3f3; padding: 0 0.2em; }
        </style>
        </head>
        <body>
        <h1>nisgen run plots</h1>

        """
        s += "<p>" + inputs.map { "\(e($0.0)): <code>\(e($0.1))</code>" }.joined(separator: "<br>\n") + "</p>\n"
        var section = ""
        for f in files {
            if f.section != section {
                if !section.isEmpty { s += "</div>\n" }
                section = f.section
                s += "<h2>\(e(section))</h2>\n<div class=\"grid\">\n"
            }
            s += "<figure><a href=\"\(e(f.name))\"><img src=\"\(e(f.name))\" alt=\"\(e(f.title))\"></a>"
            s += "<figcaption><b>\(e(f.title)).</b> \(e(f.caption))</figcaption></figure>\n"
        }
        if !section.isEmpty { s += "</div>\n" }
        if files.isEmpty { s += "<p>No plots: the inputs held nothing to plot.</p>\n" }
        return s + "</body>\n</html>\n"
    }

    static func writeText(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ReportError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }
}
