import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Report

/// Parses an SVG with XMLParser and keeps every element with its attributes and text.
final class ParsedSVG: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text = "" }
    private(set) var elements: [Element] = []
    private var open: [Int] = []
    private(set) var error: Error?

    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        if !parser.parse() { error = parser.parserError ?? NSError(domain: "xml", code: 1) }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        open.append(elements.count - 1)
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = open.last { elements[i].text += string }
    }

    func all(_ name: String, class cls: String? = nil) -> [Element] {
        elements.filter { e in
            e.name == name && (cls == nil || (e.attributes["class"] ?? "").split(separator: " ").contains(Substring(cls!)))
        }
    }
    func texts(class cls: String) -> [String] { all("text", class: cls).map(\.text) }
    var root: Element? { elements.first }
}

final class SVGChartTests: XCTestCase {
    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> ParsedSVG {
        let p = ParsedSVG(svg)
        XCTAssertNil(p.error, "not well-formed XML: \(String(describing: p.error))", file: file, line: line)
        XCTAssertEqual(p.root?.name, "svg", file: file, line: line)
        XCTAssertEqual(p.root?.attributes["xmlns"], "http://www.w3.org/2000/svg", file: file, line: line)
        return p
    }

    func testLineChartSeriesBandsLegendAndAxisTitles() {
        let x = (0..<50).map(Double.init)
        var chart = LineChart(title: "σ during training", xAxis: Axis("training step"), yAxis: Axis("σ estimate", unit: "pb"),
                              series: [LineSeries(name: "NIS", x: x, y: x.map { 1000 + $0 }, lower: x.map { 990 + $0 }, upper: x.map { 1010 + $0 }),
                                       LineSeries(name: "VEGAS", x: x, y: x.map { 1020 - $0 }, dashed: true)])
        chart.width = 600
        let p = parse(chart.svg())
        XCTAssertEqual(p.all("path", class: "series").map { $0.attributes["data-series"]! }, ["NIS", "VEGAS"])
        XCTAssertEqual(p.all("path", class: "band").map { $0.attributes["data-series"]! }, ["NIS"])
        XCTAssertEqual(p.all("g", class: "legend-entry").map { $0.attributes["data-series"]! }, ["NIS", "VEGAS"])
        XCTAssertEqual(p.texts(class: "axis-title"), ["training step", "σ estimate [pb]"])
        XCTAssertEqual(p.texts(class: "chart-title"), ["σ during training"])
        XCTAssertEqual(p.root?.attributes["width"], "600")
        // The line has one point per sample: M then 49 L commands.
        let d = p.all("path", class: "series")[0].attributes["d"]!
        XCTAssertEqual(d.filter { $0 == "M" }.count, 1)
        XCTAssertEqual(d.filter { $0 == "L" }.count, 49)
    }

    func testNonFinitePointsBreakTheLine() {
        let chart = LineChart(title: "", xAxis: Axis("x"), yAxis: Axis("y", scale: .log),
                              series: [LineSeries(name: "s", x: [1, 2, 3, 4, 5, 6], y: [1, 2, .nan, 4, -1, 6])])
        let d = parse(chart.svg()).all("path", class: "series")[0].attributes["d"]!
        // [1, 2] a run, [4] alone, [6] alone (−1 is not drawable on a log axis).
        XCTAssertEqual(d.filter { $0 == "M" }.count, 3, d)
        XCTAssertEqual(d.filter { $0 == "L" }.count, 1, d)
    }

    func testTextIsEscaped() {
        let name = "a<b & \"c\" 'd' >"
        let chart = LineChart(title: "<script>&", xAxis: Axis("x & y", unit: "<GeV>"), yAxis: Axis("y"),
                              series: [LineSeries(name: name, x: [0, 1], y: [0, 1])])
        let svg = chart.svg()
        XCTAssertFalse(svg.contains("<script>"))
        let p = parse(svg)
        XCTAssertEqual(p.all("g", class: "legend-entry").first?.attributes["data-series"], name)
        XCTAssertTrue(p.all("text").contains { $0.text == name }, "legend text reads back unescaped")
        XCTAssertEqual(p.texts(class: "chart-title"), ["<script>&"])
        XCTAssertEqual(p.texts(class: "axis-title").first, "x & y [<GeV>]")
        XCTAssertEqual(SVGDocument.escape("a\u{1}b\u{7}"), "ab", "control characters are not allowed in XML")
    }

    func testHistogramOverlayOnLogAxes() {
        var a = Histogram(bins: 30, lo: 1e-3, hi: 1e3, logarithmic: true)
        var b = a, c = a
        for i in 0..<1000 {
            let u = Double(i) / 1000
            a.fill(pow(10, -2 + 3 * u)); b.fill(pow(10, -1 + u)); c.fill(0.5 + u, weight: 2)
        }
        let chart = HistogramChart(title: "weights", xAxis: Axis("w/⟨w⟩", scale: .log), yAxis: Axis("fraction", scale: .log),
                                   series: [a.series("VEGAS", errors: false), b.series("NIS"), c.series("third", dashed: true)],
                                   display: .fractions)
        let p = parse(chart.svg())
        XCTAssertEqual(p.all("path", class: "series").map { $0.attributes["data-series"]! }, ["VEGAS", "NIS", "third"])
        XCTAssertEqual(p.all("path", class: "errorbars").count, 2, "error bars only where asked for")
        XCTAssertEqual(p.all("path", class: "series")[2].attributes["stroke-dasharray"], "6 4")
        let labels = p.all("text").map(\.text)
        for decade in ["10⁻³", "10⁰", "10³"] { XCTAssertTrue(labels.contains(decade), "\(decade) in \(labels)") }
        // The step outline: up the first edge, then V/H per bin, down at the end.
        let d = p.all("path", class: "series")[0].attributes["d"]!
        XCTAssertEqual(d.filter { $0 == "H" }.count, 30)
        XCTAssertEqual(d.filter { $0 == "V" }.count, 31)
    }

    func testHistogramDisplayModes() {
        let s = HistogramSeries(name: "h", edges: [0, 1, 3, 4], contents: [2, 4, 2], errors: [1, 2, 1])
        func shown(_ d: HistogramChart.Display) -> [Double] {
            HistogramChart(title: "", xAxis: Axis("x"), yAxis: Axis("y"), series: [s], display: d).displayed(s).values
        }
        XCTAssertEqual(shown(.contents), [2, 4, 2])
        XCTAssertEqual(shown(.density), [2, 2, 2])
        XCTAssertEqual(shown(.fractions), [0.25, 0.5, 0.25])
        XCTAssertEqual(shown(.normalisedDensity), [0.25, 0.25, 0.25])
        let errs = HistogramChart(title: "", xAxis: Axis("x"), yAxis: Axis("y"), series: [s], display: .density).displayed(s).errors
        XCTAssertEqual(errs, [1, 1, 1])
    }

    func testHistogramFilling() {
        var h = Histogram(bins: 4, lo: 0, hi: 2)
        h.fill(0); h.fill(0.5, weight: 2); h.fill(1.9999); h.fill(2, weight: 5); h.fill(-1, weight: 3); h.fill(.nan)
        XCTAssertEqual(h.sums, [1, 2, 0, 1], "an edge value belongs to the bin above it")
        XCTAssertEqual(h.sumsOfSquares, [1, 4, 0, 1])
        XCTAssertEqual(h.overflow, 5)
        XCTAssertEqual(h.underflow, 3)
        XCTAssertEqual(h.total, 12)
        XCTAssertEqual(h.entries, 5, "NaN is not an entry")
        var l = Histogram(bins: 3, lo: 1, hi: 1000, logarithmic: true)
        for (i, e) in l.edges.enumerated() { XCTAssertEqual(e, pow(10, Double(i)), accuracy: 1e-9) }
        l.fill(10); l.fill(99.9); l.fill(100)
        XCTAssertEqual(l.sums, [0, 2, 1])
    }

    func testBarChartGroups() {
        let chart = BarChart(title: "channels", categories: (1...7).map(String.init), xTitle: "channel",
                             yAxis: Axis("share", unit: "%"),
                             series: [BarSeries(name: "σ share", values: [40, 30, 14, 8, 5, 2, 1]),
                                      BarSeries(name: "⟨α⟩", values: [33, 27, 17, 11, 7, 4, 1])])
        let p = parse(chart.svg())
        XCTAssertEqual(p.all("g", class: "series").map { $0.attributes["data-series"]! }, ["σ share", "⟨α⟩"])
        XCTAssertEqual(p.all("rect", class: "bar").count, 14)
        XCTAssertEqual(p.all("g", class: "legend-entry").count, 2)
        XCTAssertEqual(p.texts(class: "axis-title"), ["channel", "share [%]"])
        // Heights are proportional to the values: 40 is 40/30 of 30.
        let h = p.all("rect", class: "bar").map { Double($0.attributes["height"]!)! }
        XCTAssertEqual(h[0] / h[1], 40.0 / 30.0, accuracy: 0.01)
    }

    func testManyCategoriesAreLabelledSparsely() {
        let n = 60
        let chart = BarChart(title: "", categories: (1...n).map { "channel-\($0)" }, xTitle: "channel", yAxis: Axis("share"),
                             series: [BarSeries(name: "s", values: (0..<n).map { _ in 1 })])
        let p = parse(chart.svg())
        let labels = p.all("text").map(\.text).filter { $0.hasPrefix("channel-") }
        XCTAssertGreaterThan(labels.count, 2)
        XCTAssertLessThan(labels.count, n / 3, "labels must not overlap")
    }

    func testLegendWrapsInsteadOfLeavingTheChart() {
        let series = (0..<12).map { LineSeries(name: "a fairly long series name \($0)", x: [0, 1], y: [0, 1]) }
        let p = parse(LineChart(title: "t", xAxis: Axis("x"), yAxis: Axis("y"), series: series).svg())
        // Every legend text starts inside the 720 px wide picture and there is more than one row.
        let legendTexts = p.all("text").filter { $0.text.hasPrefix("a fairly long") }
        XCTAssertEqual(legendTexts.count, 12)
        let rows = Set(legendTexts.map { $0.attributes["y"]! })
        XCTAssertGreaterThan(rows.count, 2)
        for t in legendTexts {
            let x = Double(t.attributes["x"]!)!
            XCTAssertLessThan(x + Double(t.text.count) * 12 * 0.6, 720)
        }
    }
}

final class TickTests: XCTestCase {
    func testNiceSteps() {
        XCTAssertEqual(Ticks.niceStep(span: 1, target: 5), 0.2)
        XCTAssertEqual(Ticks.niceStep(span: 2000, target: 5), 500)
        XCTAssertEqual(Ticks.niceStep(span: 35, target: 5), 10)
        XCTAssertEqual(Ticks.niceStep(span: 0.003, target: 6), 0.0005)
        XCTAssertEqual(Ticks.niceRange(3.7, 32.1, target: 5), 0...35)
        XCTAssertEqual(Ticks.niceRange(5, 5, target: 5), 2...8)
    }

    func testLinearTickLabels() {
        XCTAssertEqual(Ticks.linear(0...1, target: 5).map(\.label), ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(Ticks.linear(1010...1080, target: 7).map(\.label), ["1010", "1020", "1030", "1040", "1050", "1060", "1070", "1080"])
        XCTAssertEqual(Ticks.linear(-0.3...0.3, target: 6).map(\.label), ["-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3"])
        XCTAssertEqual(Ticks.linear(0...3e6, target: 3).map(\.label), ["0", "1e6", "2e6", "3e6"])
        XCTAssertEqual(Ticks.linear(0...0.003, target: 3).map(\.label), ["0", "0.001", "0.002", "0.003"])
    }

    func testLogTicks() {
        let wide = Ticks.logarithmic(1e-3...1e3, maxLabels: 12)
        XCTAssertEqual(wide.filter(\.major).map(\.label), ["10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²", "10³"])
        XCTAssertEqual(wide.filter { !$0.major }.count, 6 * 8, "2…9 in each decade")
        let many = Ticks.logarithmic(1e-12...1e12, maxLabels: 6)
        XCTAssertLessThanOrEqual(many.filter(\.major).count, 6)
        XCTAssertTrue(many.allSatisfy { $0.value == pow(10, log10($0.value).rounded()) }, "only decades over 24 decades")
        let narrow = Ticks.logarithmic(0.3...20, maxLabels: 10)
        XCTAssertEqual(narrow.filter(\.major).map(\.label), ["0.5", "1", "2", "5", "10", "20"])
        XCTAssertEqual(Ticks.powerOfTen(-12), "10⁻¹²")
    }
}

final class DegenerateChartTests: XCTestCase {
    /// Charts of no data, one point, or all-zero bins on log axes are still valid pictures (a run that
    /// stopped early still gets its report).
    func testDegenerateInputsStillGiveValidSVG() {
        let charts: [SVGChart] = [
            LineChart(title: "empty", xAxis: Axis("x"), yAxis: Axis("y"), series: []),
            LineChart(title: "one point", xAxis: Axis("x"), yAxis: Axis("y", scale: .log), series: [LineSeries(name: "s", x: [3], y: [5])]),
            LineChart(title: "flat", xAxis: Axis("x"), yAxis: Axis("y"), series: [LineSeries(name: "s", x: [0, 1, 2], y: [7, 7, 7])]),
            HistogramChart(title: "zeros", xAxis: Axis("x"), yAxis: Axis("y", scale: .log),
                           series: [HistogramSeries(name: "h", edges: [0, 1, 2], contents: [0, 0])], display: .fractions),
            BarChart(title: "no bars", categories: [], xTitle: "channel", yAxis: Axis("share"), series: []),
        ]
        for chart in charts {
            let p = ParsedSVG(chart.svg())
            XCTAssertNil(p.error, chart.title)
            XCTAssertEqual(p.texts(class: "chart-title"), [chart.title])
            XCTAssertFalse(p.all("text").contains { $0.text.contains("nan") || $0.text.contains("inf") }, chart.title)
            for e in p.elements { for (_, v) in e.attributes { XCTAssertFalse(v.contains("nan"), "\(chart.title): \(e.name)") } }
        }
        let marker = ParsedSVG(charts[1].svg()).all("circle", class: "marker")
        XCTAssertEqual(marker.count, 1, "a single point is drawn as a marker")
    }
}
