// The frame every chart shares: title, legend above the plot (never over the data), plot area with grid and
// clip path, ticks, tick labels and axis titles. Margins follow from the labels' estimated widths (DejaVu
// Sans averages ~0.6 em per character), so long tick labels or legends push the plot instead of overlapping it.
//
// Markup a reader (or a test) can rely on: each data series is one element with class "series" (plus
// "band", "errorbars", "bar" for its parts) and `data-series="NAME"`; legend entries are `<g class="legend-entry"
// data-series="NAME">`; axis titles carry class "axis-title x" / "axis-title y", the title "chart-title".
#if canImport(Glibc)
import Glibc
#endif

public protocol SVGChart {
    var title: String { get }
    /// The complete SVG document.
    func svg() -> String
}

/// Colour-blind-safe palette (Okabe–Ito, without its yellow, which vanishes on white).
public enum Palette {
    public static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]
    public static func colour(_ i: Int) -> String { colours[((i % colours.count) + colours.count) % colours.count] }
}

struct LegendEntry {
    enum Kind { case line, lineWithBand, box }
    var name: String
    var colour: String
    var kind: Kind
    var dashed = false
}

enum Text {
    static func width(_ s: String, fontSize: Double) -> Double { Double(s.count) * fontSize * 0.6 }
}

/// A laid-out chart: margins, axis maps and ticks fixed; content is drawn between `begin` and `finish`.
struct ChartCanvas {
    static let tickFont = 12.0, axisFont = 13.0, titleFont = 15.0, legendFont = 12.0

    var doc: SVGDocument
    let title: String
    let left: Double, right: Double, top: Double, bottom: Double
    let x: AxisMap
    let y: AxisMap
    let xTicks: [Tick]
    let yTicks: [Tick]
    let xTitle: String
    let yTitle: String
    private let legend: [LegendEntry]
    private let legendRows: [[(entry: LegendEntry, width: Double)]]

    /// `xTicks`: nil → computed from the axis; given → used as they are (categorical axes).
    init(width: Double, height: Double, title: String, xAxis: Axis, xRange: ClosedRange<Double>, xTicks: [Tick]? = nil,
         yAxis: Axis, yRange requested: ClosedRange<Double>, legend: [LegendEntry]) {
        doc = SVGDocument(width: width, height: height)
        self.title = title
        self.legend = legend
        xTitle = xAxis.label
        yTitle = yAxis.label

        // Vertical budget first (y ticks need the plot height), then horizontal from the y labels.
        let titleHeight = title.isEmpty ? 0 : 26.0
        let bottomMargin = 12 + Self.axisFont + 8 + Self.tickFont + 8
        let roughHeight = height - titleHeight - 40 - bottomMargin
        let yTickList: [Tick]
        var yRange = requested
        switch yAxis.scale {
        case .linear:
            let target = max(3, Int(roughHeight / 55))
            if yAxis.range == nil {
                // A range from the data ends on a labelled tick, not a step short of one.
                let step = Ticks.niceStep(span: yRange.upperBound - yRange.lowerBound, target: target)
                yRange = (floor(yRange.lowerBound / step + 1e-9) * step)...(ceil(yRange.upperBound / step - 1e-9) * step)
            }
            yTickList = Ticks.linear(yRange, target: target)
        case .log: yTickList = Ticks.logarithmic(yRange, maxLabels: max(3, Int(roughHeight / 35)))
        }
        let widestY = yTickList.map { Text.width($0.label, fontSize: Self.tickFont) }.max() ?? 20
        left = 12 + Self.axisFont + 10 + widestY + 8
        right = 24
        let plotWidth = width - left - right

        // Legend rows, wrapped to the plot width.
        var rows: [[(LegendEntry, Double)]] = []
        var current: [(LegendEntry, Double)] = []
        var used = 0.0
        for e in legend {
            let w = 26 + Text.width(e.name, fontSize: Self.legendFont) + 18
            if !current.isEmpty && used + w > plotWidth { rows.append(current); current = []; used = 0 }
            current.append((e, w)); used += w
        }
        if !current.isEmpty { rows.append(current) }
        legendRows = rows.map { $0.map { (entry: $0.0, width: $0.1) } }
        top = 12 + titleHeight + Double(rows.count) * 18 + (rows.isEmpty ? 4 : 8)
        bottom = bottomMargin
        let plotHeight = height - top - bottom

        x = AxisMap(scale: xAxis.scale, range: xRange, pixels: left...(left + plotWidth), inverted: false)
        y = AxisMap(scale: yAxis.scale, range: yRange, pixels: top...(top + plotHeight), inverted: true)
        if let xTicks {
            self.xTicks = xTicks
        } else {
            // As many x labels as fit side by side with room to spare.
            let sample = Ticks.linear(xRange, target: 5).map { Text.width($0.label, fontSize: Self.tickFont) }.max() ?? 30
            let fit = max(2, Int(plotWidth / (sample + 28)))
            switch xAxis.scale {
            case .linear: self.xTicks = Ticks.linear(xRange, target: min(fit, 10))
            case .log: self.xTicks = Ticks.logarithmic(xRange, maxLabels: min(fit, 12))
            }
        }
        yTicks = yTickList
    }

    var plotLeft: Double { x.pixels.lowerBound }
    var plotRight: Double { x.pixels.upperBound }
    var plotTop: Double { y.pixels.lowerBound }
    var plotBottom: Double { y.pixels.upperBound }

    /// Grid, then a clipped group for the data.
    mutating func begin() {
        doc.define("<clipPath id=\"plot-area\"><rect x=\"\(n(plotLeft))\" y=\"\(n(plotTop))\" width=\"\(n(plotRight - plotLeft))\" height=\"\(n(plotBottom - plotTop))\"/></clipPath>")
        doc.open("g", ["class": "grid", "stroke": "#e4e4e4", "stroke-width": "1"])
        for t in xTicks where t.major {
            let px = x(t.value)
            doc.element("line", ["x1": n(px), "y1": n(plotTop), "x2": n(px), "y2": n(plotBottom)])
        }
        for t in yTicks where t.major {
            let py = y(t.value)
            doc.element("line", ["x1": n(plotLeft), "y1": n(py), "x2": n(plotRight), "y2": n(py)])
        }
        doc.close("g")
        doc.open("g", ["class": "data", "clip-path": "url(#plot-area)"])
    }

    /// Close the data group; frame, ticks, labels, titles and legend on top.
    mutating func finish() -> String {
        doc.close("g")
        doc.element("rect", ["class": "frame", "x": n(plotLeft), "y": n(plotTop), "width": n(plotRight - plotLeft),
                             "height": n(plotBottom - plotTop), "fill": "none", "stroke": "#333", "stroke-width": "1"])
        // Ticks point inwards; labels outside.
        doc.open("g", ["class": "ticks", "stroke": "#333", "stroke-width": "1"])
        for t in xTicks {
            let px = x(t.value), len = t.major ? 6.0 : 3.0
            guard px >= plotLeft - 0.5, px <= plotRight + 0.5 else { continue }
            doc.element("line", ["x1": n(px), "y1": n(plotBottom), "x2": n(px), "y2": n(plotBottom - len)])
        }
        for t in yTicks {
            let py = y(t.value), len = t.major ? 6.0 : 3.0
            guard py >= plotTop - 0.5, py <= plotBottom + 0.5 else { continue }
            doc.element("line", ["x1": n(plotLeft), "y1": n(py), "x2": n(plotLeft + len), "y2": n(py)])
        }
        doc.close("g")
        doc.open("g", ["class": "tick-labels", "font-size": n(Self.tickFont), "fill": "#222"])
        for t in xTicks where !t.label.isEmpty {
            let px = x(t.value)
            guard px >= plotLeft - 0.5, px <= plotRight + 0.5 else { continue }
            doc.text(t.label, ["x": n(px), "y": n(plotBottom + 6 + Self.tickFont), "text-anchor": "middle"])
        }
        for t in yTicks where !t.label.isEmpty {
            let py = y(t.value)
            guard py >= plotTop - 0.5, py <= plotBottom + 0.5 else { continue }
            doc.text(t.label, ["x": n(plotLeft - 6), "y": n(py + Self.tickFont * 0.35), "text-anchor": "end"])
        }
        doc.close("g")
        let xt = doc.height - 12
        doc.text(xTitle, ["class": "axis-title x", "x": n((plotLeft + plotRight) / 2), "y": n(xt),
                          "text-anchor": "middle", "font-size": n(Self.axisFont)])
        let yx = 12 + Self.axisFont, yy = (plotTop + plotBottom) / 2
        doc.text(yTitle, ["class": "axis-title y", "x": n(yx), "y": n(yy), "text-anchor": "middle",
                          "font-size": n(Self.axisFont), "transform": "rotate(-90 \(n(yx)) \(n(yy)))"])
        if !title.isEmpty {
            doc.text(title, ["class": "chart-title", "x": n(doc.width / 2), "y": n(12 + Self.titleFont),
                             "text-anchor": "middle", "font-size": n(Self.titleFont), "font-weight": "bold"])
        }
        drawLegend()
        return doc.rendered(title: title)
    }

    private mutating func drawLegend() {
        guard !legendRows.isEmpty else { return }
        var rowY = plotTop - 8 - Double(legendRows.count - 1) * 18
        doc.open("g", ["class": "legend", "font-size": n(Self.legendFont)])
        for row in legendRows {
            let total = row.reduce(0) { $0 + $1.width }
            var px = plotLeft + max(0, (plotRight - plotLeft - total) / 2)   // centred over the plot
            for (e, w) in row {
                doc.open("g", ["class": "legend-entry", "data-series": e.name])
                let cy = rowY - 4
                switch e.kind {
                case .box:
                    doc.element("rect", ["x": n(px), "y": n(cy - 5), "width": "18", "height": "10", "fill": e.colour])
                case .lineWithBand:
                    doc.element("rect", ["x": n(px), "y": n(cy - 5), "width": "18", "height": "10", "fill": e.colour, "fill-opacity": "0.2"])
                    doc.element("line", ["x1": n(px), "y1": n(cy), "x2": n(px + 18), "y2": n(cy), "stroke": e.colour, "stroke-width": "2"])
                case .line:
                    doc.element("line", ["x1": n(px), "y1": n(cy), "x2": n(px + 18), "y2": n(cy), "stroke": e.colour,
                                         "stroke-width": "2", "stroke-dasharray": e.dashed ? "5 3" : "none"])
                }
                doc.text(e.name, ["x": n(px + 24), "y": n(rowY)])
                doc.close("g")
                px += w
            }
            rowY += 18
        }
        doc.close("g")
    }

    func n(_ v: Double) -> String { SVGDocument.number(v) }
}

/// Range of finite (and, on a log axis, positive) values, or nil when there are none.
func dataRange(_ values: [Double], scale: AxisScale) -> ClosedRange<Double>? {
    var lo = Double.infinity, hi = -Double.infinity
    for v in values where v.isFinite && (scale == .linear || v > 0) {
        lo = min(lo, v); hi = max(hi, v)
    }
    return lo <= hi ? lo...hi : nil
}

/// A data range rounded out to what the axis shows: 1-2-5 steps (linear) or whole decades (log).
func axisRange(_ data: ClosedRange<Double>?, scale: AxisScale, includeZero: Bool = false) -> ClosedRange<Double> {
    switch scale {
    case .linear:
        guard var r = data else { return 0...1 }
        if includeZero { r = min(r.lowerBound, 0)...max(r.upperBound, 0) }
        return Ticks.niceRange(r.lowerBound, r.upperBound, target: 5)
    case .log:
        guard let r = data else { return 1...10 }
        let lo = pow(10, floor(log10(r.lowerBound) + 1e-9))
        // Headroom: a maximum just under a decade would touch the frame.
        var hi = pow(10, ceil(log10(r.upperBound * 1.5) - 1e-9))
        if hi <= lo { hi = lo * 10 }
        return lo...hi
    }
}
