// Axes: linear or logarithmic scales, tick placement at 1-2-5 multiples of a power of ten (decades and
// 2, 5 subdivisions on log axes), tick labels short enough not to collide.
#if canImport(Glibc)
import Glibc
#endif

public enum AxisScale: Sendable, Equatable {
    case linear
    case log
}

public struct Axis: Sendable {
    public var title: String
    /// Shown in brackets after the title, e.g. "GeV" → "p_T [GeV]"; nil for dimensionless quantities.
    public var unit: String?
    public var scale: AxisScale
    /// Fixed range; nil: from the data (rounded out to ticks).
    public var range: ClosedRange<Double>?

    public init(_ title: String, unit: String? = nil, scale: AxisScale = .linear, range: ClosedRange<Double>? = nil) {
        self.title = title
        self.unit = unit
        self.scale = scale
        self.range = range
    }

    public var label: String { unit.map { $0.isEmpty ? title : "\(title) [\($0)]" } ?? title }
}

public struct Tick: Sendable, Equatable {
    public var value: Double
    public var label: String
    /// Minor ticks get a short mark and no label.
    public var major: Bool
}

public enum Ticks {
    /// The 1-2-5 step closest to span / target.
    public static func niceStep(span: Double, target: Int) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(target, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let n = raw / magnitude
        let factor: Double = n < 1.5 ? 1 : (n < 3 ? 2 : (n < 7 ? 5 : 10))
        return factor * magnitude
    }

    /// The range rounded out to whole steps (for ranges taken from data).
    public static func niceRange(_ lo: Double, _ hi: Double, target: Int) -> ClosedRange<Double> {
        var (a, b) = (lo, hi)
        if !(a.isFinite && b.isFinite) { (a, b) = (0, 1) }
        if a == b { (a, b) = a == 0 ? (-1, 1) : (a - abs(a) * 0.5, a + abs(a) * 0.5) }
        let step = niceStep(span: b - a, target: target)
        return (floor(a / step + 1e-9) * step)...(ceil(b / step - 1e-9) * step)
    }

    /// Ticks at multiples of a 1-2-5 step inside the range, labelled with as many decimals as the step needs.
    public static func linear(_ range: ClosedRange<Double>, target: Int) -> [Tick] {
        let step = niceStep(span: range.upperBound - range.lowerBound, target: target)
        let first = ceil(range.lowerBound / step - 1e-9)
        let last = floor(range.upperBound / step + 1e-9)
        guard last >= first, last - first < 1000 else { return [] }
        let largest = max(abs(range.lowerBound), abs(range.upperBound))
        let useScientific = largest >= 1e6 || largest < 1e-3
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
        return stride(from: first, through: last, by: 1).map { k in
            let v = k * step
            let label: String
            if abs(v) < step * 1e-6 {
                label = "0"
            } else if useScientific {
                let digits = Int(floor(log10(abs(v)) + 1e-9)) - Int(floor(log10(step) + 1e-9)) + 1
                label = Format.scientific(v, digits: max(digits, 1))
            } else {
                label = Format.fixed(v, decimals)
            }
            return Tick(value: abs(v) < step * 1e-6 ? 0 : v, label: label, major: true)
        }
    }

    /// Decades labelled 10ⁿ (every k-th decade when there are many), minor ticks at 2…9 × 10ⁿ;
    /// a range of at most 2.5 decades also gets labelled 2 and 5 so it never shows just one or two labels.
    public static func logarithmic(_ range: ClosedRange<Double>, maxLabels: Int) -> [Tick] {
        guard range.lowerBound > 0, range.upperBound > range.lowerBound else { return [] }
        let lo = Int(floor(log10(range.lowerBound) + 1e-9)), hi = Int(ceil(log10(range.upperBound) - 1e-9))
        let decades = hi - lo
        let narrow = log10(range.upperBound / range.lowerBound) <= 2.5
        let every = max(1, Int(ceil(Double(decades + 1) / Double(max(maxLabels, 1)))))
        var ticks: [Tick] = []
        let inside = { (v: Double) in v >= range.lowerBound * (1 - 1e-9) && v <= range.upperBound * (1 + 1e-9) }
        for k in lo...hi {
            let decade = pow(10, Double(k))
            if inside(decade) {
                let labelled = (k - lo) % every == 0
                ticks.append(Tick(value: decade, label: labelled ? powerOfTen(k) : "", major: labelled))
            }
            guard decades <= 8 else { continue }
            for m in 2...9 {
                let v = Double(m) * decade
                guard inside(v) else { continue }
                let labelled = narrow && (m == 2 || m == 5)
                ticks.append(Tick(value: v, label: labelled ? Format.significant(v, digits: 1) : "", major: labelled))
            }
        }
        if narrow {
            // Plain numbers read better than powers over a narrow range.
            ticks = ticks.map { t in t.major ? Tick(value: t.value, label: plainOrPower(t.value), major: true) : t }
        }
        return ticks
    }

    /// 0.02, 500 inside [10⁻³, 10⁵); 2×10⁻⁵ outside.
    static func plainOrPower(_ v: Double) -> String {
        if (1e-3..<1e5).contains(v) { return Format.significant(v, digits: 1) }
        let k = Int(floor(log10(v) + 1e-9))
        let m = Int((v / pow(10, Double(k))).rounded())
        return m == 1 ? powerOfTen(k) : "\(m)×" + powerOfTen(k)
    }

    /// 10ⁿ with Unicode superscripts (renders in every SVG viewer, no baseline-shift support needed).
    public static func powerOfTen(_ k: Int) -> String {
        let superscripts: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵",
                                                    "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        return "10" + String(String(k).map { superscripts[$0]! })
    }
}

/// Data → pixel mapping along one axis.
struct AxisMap {
    let scale: AxisScale
    let range: ClosedRange<Double>
    let pixels: ClosedRange<Double>
    /// true for y: larger values are higher up, i.e. smaller pixel coordinates.
    let inverted: Bool

    func callAsFunction(_ v: Double) -> Double {
        let t: Double
        switch scale {
        case .linear:
            t = (v - range.lowerBound) / (range.upperBound - range.lowerBound)
        case .log:
            // Non-positive values sit just below the axis (clipped by the plot area).
            let x = v > 0 ? log10(v) : log10(range.lowerBound) - 1
            t = (x - log10(range.lowerBound)) / (log10(range.upperBound) - log10(range.lowerBound))
        }
        let span = pixels.upperBound - pixels.lowerBound
        return inverted ? pixels.upperBound - t * span : pixels.lowerBound + t * span
    }
}
