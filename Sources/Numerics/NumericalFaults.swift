// Non-finite values met while sampling, counted by where they arose. Such a point is excluded (weight 0);
// the counts go into the run summary, and a run where they become too many stops naming the source.

public struct NumericalFaults: Sendable, Equatable {
    public enum Source: Int, CaseIterable, Sendable {
        case phaseSpace, pdf, matrixElement, integrand, density, channelWeight

        public var description: String {
            switch self {
            case .phaseSpace: return "the phase-space mapping"
            case .pdf: return "the PDF set (parton densities or αs)"
            case .matrixElement: return "the matrix element"
            case .integrand: return "the integrand (overflow of finite factors)"
            case .density: return "the sampler's density"
            case .channelWeight: return "the channel weights"
            }
        }
        /// Key in JSON summaries.
        public var key: String {
            switch self {
            case .phaseSpace: return "phase_space"
            case .pdf: return "pdf"
            case .matrixElement: return "matrix_element"
            case .integrand: return "integrand"
            case .density: return "density"
            case .channelWeight: return "channel_weight"
            }
        }
    }

    /// Count per source, indexed by `Source.rawValue`.
    public private(set) var counts: [Int64]

    public init() { counts = [Int64](repeating: 0, count: Source.allCases.count) }
    /// From `counts` as `counts` reports them (e.g. after a reduction over ranks).
    public init(counts: [Int64]) {
        precondition(counts.count == Source.allCases.count, "one count per source")
        self.counts = counts
    }

    public var total: Int64 { counts.reduce(0, +) }
    public subscript(_ source: Source) -> Int64 { counts[source.rawValue] }

    public mutating func record(_ source: Source, _ n: Int64 = 1) { counts[source.rawValue] += n }
    public mutating func add(_ other: NumericalFaults) { for i in counts.indices { counts[i] += other.counts[i] } }

    /// "12 from the matrix element, 3 from the PDF set (…)", largest first; "none" when all are zero.
    public var summary: String {
        let parts = Source.allCases.filter { self[$0] > 0 }.sorted { self[$0] > self[$1] }.map { "\(self[$0]) from \($0.description)" }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

/// Test hook: turn a fraction of one source's values into NaN, chosen by a hash of the point, to check
/// that faults are counted, excluded and stop a run that has too many.
public struct FaultInjection: Sendable, Equatable {
    public var source: NumericalFaults.Source
    public var fraction: Double

    public init(source: NumericalFaults.Source, fraction: Double) { self.source = source; self.fraction = fraction }

    /// Parse "matrix_element:0.01" (a source key and a fraction in [0, 1]).
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let s = NumericalFaults.Source.allCases.first(where: { $0.key == parts[0] }),
              let f = Double(parts[1]), f >= 0, f <= 1 else { return nil }
        self.init(source: s, fraction: f)
    }

    /// Whether the point with coordinate `u` (any double that differs between points) is hit.
    @inline(__always)
    public func hits(_ u: Double) -> Bool {
        let h = (u.bitPattern &* 0x9E37_79B9_7F4A_7C15) >> 11
        return Double(h) * 0x1p-53 < fraction
    }
}
