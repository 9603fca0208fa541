// The three chart kinds: lines (with optional error bands), histograms (step lines), grouped bars.
#if canImport(Glibc)
import Glibc
#endif

// MARK: line charts

public struct LineSeries: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// Optional band drawn behind the line, e.g. y ± error.
    public var lower: [Double]?
    public var upper: [Double]?
    public var dashed: Bool

    public init(name: String, x: [Double], y: [Double], lower: [Double]? = nil, upper: [Double]? = nil, dashed: Bool = false) {
        self.name = name; self.x = x; self.y = y; self.lower = lower; self.upper = upper; self.dashed = dashed
    }
}

public struct LineChart: SVGChart {
    public var title: String
    public var xAxis: Axis
    public var yAxis: Axis
    public var series: [LineSeries]
    public var width = 720.0
    public var height = 440.0

    public init(title: String, xAxis: Axis, yAxis: Axis, series: [LineSeries]) {
        self.title = title; self.xAxis = xAxis; self.yAxis = yAxis; self.series = series
    }

    public func svg() -> String {
        let xr = xAxis.range ?? axisRange(dataRange(series.flatMap(\.x), scale: xAxis.scale), scale: xAxis.scale)
        let ys = series.flatMap { $0.y + ($0.lower ?? []) + ($0.upper ?? []) }
        let yr = yAxis.range ?? axisRange(dataRange(ys, scale: yAxis.scale), scale: yAxis.scale)
        let legend = series.enumerated().map { i, s in
            LegendEntry(name: s.name, colour: Palette.colour(i), kind: s.lower != nil ? .lineWithBand : .line, dashed: s.dashed)
        }
        var c = ChartCanvas(width: width, height: height, title: title, xAxis: xAxis, xRange: xr, yAxis: yAxis, yRange: yr, legend: legend)
        c.begin()
        for (i, s) in series.enumerated() {
            let colour = Palette.colour(i)
            if let lo = s.lower, let hi = s.upper {
                let band = bandPath(x: s.x, lower: lo, upper: hi, c: c)
                if !band.isEmpty {
                    c.doc.element("path", ["class": "band", "data-series": s.name, "d": band, "fill": colour,
                                           "fill-opacity": "0.2", "stroke": "none"])
                }
            }
            let d = linePath(x: s.x, y: s.y, c: c)
            c.doc.element("path", ["class": "series", "data-series": s.name, "d": d, "fill": "none", "stroke": colour,
                                   "stroke-width": "1.8", "stroke-linejoin": "round",
                                   "stroke-dasharray": s.dashed ? "6 4" : "none"])
            if s.x.count == 1, let px = s.x.first, let py = s.y.first, px.isFinite, py.isFinite {
                c.doc.element("circle", ["class": "marker", "data-series": s.name, "cx": c.n(c.x(px)), "cy": c.n(c.y(py)),
                                         "r": "3", "fill": colour])
            }
        }
        return c.finish()
    }

    /// Non-finite points (and non-positive ones on a log axis) break the line instead of bending it to 0.
    private func linePath(x: [Double], y: [Double], c: ChartCanvas) -> String {
        var d = "", pen = false
        for (px, py) in zip(x, y) {
            guard usable(px, xAxis.scale), usable(py, yAxis.scale) else { pen = false; continue }
            d += (pen ? "L" : (d.isEmpty ? "M" : " M")) + c.n(c.x(px)) + " " + c.n(c.y(py))
            pen = true
        }
        return d
    }

    private func bandPath(x: [Double], lower: [Double], upper: [Double], c: ChartCanvas) -> String {
        // One closed polygon per run of usable points: upper edge forwards, lower edge back.
        var d = ""
        var run: [(Double, Double, Double)] = []
        func flush() {
            guard run.count > 1 else { run = []; return }
            d += (d.isEmpty ? "M" : " M") + run.map { c.n(c.x($0.0)) + " " + c.n(c.y($0.2)) }.joined(separator: "L")
            d += "L" + run.reversed().map { c.n(c.x($0.0)) + " " + c.n(c.y($0.1)) }.joined(separator: "L") + "Z"
            run = []
        }
        for i in 0..<min(x.count, lower.count, upper.count) {
            if usable(x[i], xAxis.scale) && usable(lower[i], yAxis.scale) && usable(upper[i], yAxis.scale) {
                run.append((x[i], lower[i], upper[i]))
            } else {
                flush()
            }
        }
        flush()
        return d
    }
}

func usable(_ v: Double, _ scale: AxisScale) -> Bool { v.isFinite && (scale == .linear || v > 0) }

// MARK: histograms

/// Weighted histogram with fixed bin edges; entries outside go to under/overflow (kept, not drawn).
public struct Histogram: Sendable, Equatable {
    public let edges: [Double]
    public private(set) var sums: [Double]
    public private(set) var sumsOfSquares: [Double]
    public private(set) var underflow = 0.0
    public private(set) var overflow = 0.0
    public private(set) var entries = 0
    private let logarithmic: Bool

    /// `bins` equal bins on [lo, hi), equal in log(x) when `logarithmic`.
    public init(bins: Int, lo: Double, hi: Double, logarithmic: Bool = false) {
        precondition(bins > 0 && hi > lo && (!logarithmic || lo > 0), "histogram needs bins > 0, hi > lo (> 0 for log bins)")
        if logarithmic {
            let a = log10(lo), b = log10(hi)
            edges = (0...bins).map { pow(10, a + (b - a) * Double($0) / Double(bins)) }
        } else {
            edges = (0...bins).map { lo + (hi - lo) * Double($0) / Double(bins) }
        }
        self.logarithmic = logarithmic
        sums = [Double](repeating: 0, count: bins)
        sumsOfSquares = sums
    }

    public var binCount: Int { sums.count }
    public var total: Double { sums.reduce(0, +) + underflow + overflow }

    public mutating func fill(_ x: Double, weight: Double = 1) {
        guard x.isFinite, weight.isFinite else { return }
        entries += 1
        let lo = edges[0], hi = edges[edges.count - 1]
        if x < lo { underflow += weight; return }
        if x >= hi { overflow += weight; return }
        let t = logarithmic ? (log10(x) - log10(lo)) / (log10(hi) - log10(lo)) : (x - lo) / (hi - lo)
        var i = min(max(Int(t * Double(binCount)), 0), binCount - 1)
        // Guard against rounding at the edges so the bin really holds x.
        while i > 0 && x < edges[i] { i -= 1 }
        while i < binCount - 1 && x >= edges[i + 1] { i += 1 }
        sums[i] += weight
        sumsOfSquares[i] += weight * weight
    }

    public func series(_ name: String, dashed: Bool = false, errors: Bool = true) -> HistogramSeries {
        HistogramSeries(name: name, edges: edges, contents: sums, errors: errors ? sumsOfSquares.map { $0.squareRoot() } : nil,
                        dashed: dashed)
    }
}

public struct HistogramSeries: Sendable {
    public var name: String
    public var edges: [Double]
    /// Per bin (e.g. sums of weights).
    public var contents: [Double]
    /// Per-bin uncertainties of `contents`, drawn as vertical bars at bin centres.
    public var errors: [Double]?
    public var dashed: Bool

    public init(name: String, edges: [Double], contents: [Double], errors: [Double]? = nil, dashed: Bool = false) {
        precondition(edges.count == contents.count + 1, "a histogram series needs one edge more than bins")
        self.name = name; self.edges = edges; self.contents = contents; self.errors = errors; self.dashed = dashed
    }
}

public struct HistogramChart: SVGChart {
    /// What the y axis shows for each series.
    public enum Display: Sendable {
        /// Contents as given.
        case contents
        /// Contents / bin width (e.g. dσ/dx from sums of weights).
        case density
        /// Contents / (Σ contents · bin width): unit area, for comparing shapes.
        case normalisedDensity
        /// Contents / Σ contents: fraction per bin.
        case fractions
    }

    public var title: String
    public var xAxis: Axis
    public var yAxis: Axis
    public var series: [HistogramSeries]
    public var display: Display
    public var width = 720.0
    public var height = 440.0
    /// Log y: the axis starts no lower than the largest value × this (empty tail bins would squash the rest).
    public var logDynamicRange = 1e-6

    public init(title: String, xAxis: Axis, yAxis: Axis, series: [HistogramSeries], display: Display = .contents) {
        self.title = title; self.xAxis = xAxis; self.yAxis = yAxis; self.series = series; self.display = display
    }

    /// The heights (and error bars) drawn for one series under `display`.
    public func displayed(_ s: HistogramSeries) -> (values: [Double], errors: [Double]?) {
        let total = s.contents.reduce(0, +)
        let factors: [Double] = (0..<s.contents.count).map { i in
            let w = s.edges[i + 1] - s.edges[i]
            switch display {
            case .contents: return 1
            case .density: return 1 / w
            case .normalisedDensity: return total != 0 ? 1 / (total * w) : 0
            case .fractions: return total != 0 ? 1 / total : 0
            }
        }
        return (zip(s.contents, factors).map(*), s.errors.map { zip($0, factors).map(*) })
    }

    public func svg() -> String {
        let shown = series.map(displayed)
        // The binning's own range: rounding it out to ticks would show empty space no bin covers.
        let xr = xAxis.range ?? dataRange(series.flatMap(\.edges), scale: xAxis.scale) ?? 0...1
        let yr: ClosedRange<Double>
        if let r = yAxis.range {
            yr = r
        } else if yAxis.scale == .log {
            let tops = shown.flatMap { v in zip(v.values, v.errors ?? v.values.map { _ in 0 }).map { $0 + $1 } }
            let hi = dataRange(tops, scale: .log)?.upperBound ?? 1
            let lo = max(dataRange(shown.flatMap(\.values), scale: .log)?.lowerBound ?? hi / 10, hi * logDynamicRange)
            yr = axisRange(lo...hi, scale: .log)
        } else {
            let tops = shown.flatMap { v in zip(v.values, v.errors ?? v.values.map { _ in 0 }).map { $0 + $1 } }
            // Headroom so the highest bin does not touch the frame.
            let r = dataRange(tops + [0], scale: .linear).map { $0.lowerBound...($0.upperBound * 1.05) }
            yr = axisRange(r, scale: .linear, includeZero: true)
        }
        let legend = series.enumerated().map { i, s in LegendEntry(name: s.name, colour: Palette.colour(i), kind: .line, dashed: s.dashed) }
        var c = ChartCanvas(width: width, height: height, title: title, xAxis: xAxis, xRange: xr, yAxis: yAxis, yRange: yr, legend: legend)
        c.begin()
        for (i, s) in series.enumerated() {
            let colour = Palette.colour(i)
            let (values, errors) = shown[i]
            if let errors {
                var d = ""
                for b in 0..<values.count where errors[b] > 0 && values[b].isFinite {
                    let xm = xAxis.scale == .log ? (s.edges[b] * s.edges[b + 1]).squareRoot() : (s.edges[b] + s.edges[b + 1]) / 2
                    let lo = values[b] - errors[b], hi = values[b] + errors[b]
                    let ylo = yAxis.scale == .log && lo <= 0 ? c.plotBottom + 1 : c.y(lo)
                    d += (d.isEmpty ? "" : " ") + "M" + c.n(c.x(xm)) + " " + c.n(ylo) + "V" + c.n(c.y(hi))
                }
                if !d.isEmpty {
                    c.doc.element("path", ["class": "errorbars", "data-series": s.name, "d": d, "stroke": colour,
                                           "stroke-width": "1", "stroke-opacity": "0.7", "fill": "none"])
                }
            }
            c.doc.element("path", ["class": "series", "data-series": s.name, "d": stepPath(s.edges, values, c: c),
                                   "fill": "none", "stroke": colour, "stroke-width": "1.6",
                                   "stroke-dasharray": s.dashed ? "6 4" : "none"])
        }
        return c.finish()
    }

    /// Outline from the axis up the first bin, across every bin, back down; empty bins on a log axis drop
    /// just below the frame (clipped) rather than to an invented small value.
    private func stepPath(_ edges: [Double], _ values: [Double], c: ChartCanvas) -> String {
        let floorY = c.plotBottom + 2
        func py(_ v: Double) -> Double {
            guard v.isFinite else { return floorY }
            if yAxis.scale == .log && v <= 0 { return floorY }
            return min(c.y(v), floorY)
        }
        let base = yAxis.scale == .log ? floorY : min(c.y(0), floorY)
        var d = "M" + c.n(c.x(edges[0])) + " " + c.n(base)
        for (b, v) in values.enumerated() {
            d += "V" + c.n(py(v)) + "H" + c.n(c.x(edges[b + 1]))
        }
        return d + "V" + c.n(base)
    }
}

// MARK: bar charts

public struct BarSeries: Sendable {
    public var name: String
    public var values: [Double]
    public init(name: String, values: [Double]) { self.name = name; self.values = values }
}

/// Grouped bars: one group per category, one bar per series.
public struct BarChart: SVGChart {
    public var title: String
    public var categories: [String]
    public var xTitle: String
    public var yAxis: Axis
    public var series: [BarSeries]
    public var width = 720.0
    public var height = 440.0

    public init(title: String, categories: [String], xTitle: String, yAxis: Axis, series: [BarSeries]) {
        self.title = title; self.categories = categories; self.xTitle = xTitle; self.yAxis = yAxis; self.series = series
    }

    public func svg() -> String {
        let n = max(categories.count, 1)
        let values = series.flatMap(\.values)
        let yr = yAxis.range ?? (yAxis.scale == .log
            ? axisRange(dataRange(values, scale: .log), scale: .log)
            : axisRange(dataRange(values.map { $0 * 1.05 } + [0], scale: .linear), scale: .linear, includeZero: true))
        // Label every k-th category when the labels would not fit side by side.
        let widest = categories.map { Text.width($0, fontSize: ChartCanvas.tickFont) }.max() ?? 10
        let roughPlot = width - 120
        let every = max(1, Int(ceil(Double(n) * (widest + 10) / roughPlot)))
        let ticks = categories.enumerated().map { i, name in
            Tick(value: Double(i) + 0.5, label: i % every == 0 ? name : "", major: false)
        }
        let legend = series.enumerated().map { i, s in LegendEntry(name: s.name, colour: Palette.colour(i), kind: .box) }
        var c = ChartCanvas(width: width, height: height, title: title, xAxis: Axis(xTitle), xRange: 0...Double(n),
                            xTicks: ticks, yAxis: yAxis, yRange: yr, legend: legend)
        c.begin()
        let groupWidth = (c.plotRight - c.plotLeft) / Double(n)
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        let base = yAxis.scale == .log ? c.plotBottom : c.y(0)
        for (si, s) in series.enumerated() {
            c.doc.open("g", ["class": "series", "data-series": s.name, "fill": Palette.colour(si)])
            for (i, v) in s.values.prefix(n).enumerated() where usable(v, yAxis.scale) {
                let x0 = c.plotLeft + Double(i) * groupWidth + groupWidth * 0.1 + Double(si) * barWidth
                let top = min(c.y(v), base), h = abs(base - c.y(v))
                c.doc.element("rect", ["class": "bar", "x": c.n(x0), "y": c.n(top), "width": c.n(barWidth), "height": c.n(h)])
            }
            c.doc.close("g")
        }
        return c.finish()
    }
}
