// A mixture of narrow Gaussians on [0,1]^d with one channel per peak (the MadNIS toy, arXiv:2212.06172 §4).
// Channel k maps every coordinate with a truncated-Cauchy `PeakMapping` centred on peak k, so it targets its
// own peak but sees the other peaks as large weights: the channel weights α must learn to suppress them.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Numerics

public struct GaussianMixture: ToyIntegrand, Sendable {
    public struct Peak: Sendable, Equatable {
        public var centre: [Double]
        public var width: Double
        public var amplitude: Double
        public init(centre: [Double], width: Double, amplitude: Double = 1) {
            self.centre = centre
            self.width = width
            self.amplitude = amplitude
        }
    }

    public let name: String
    public let dimension: Int
    public let peaks: [Peak]
    /// When true (the default), `evaluate` returns the classic multi-channel prior weights
    /// α⁰_k(x) = g_k(x)/Σ_j g_j(x), g_k the density of channel k's mapping (Kleiss & Pittau, hep-ph/9405257).
    /// Without them α starts uniform, and since channel k practically never samples peak j ≠ k, the
    /// channel-weight net cannot see the mass it misses: a uniform start is only sensible for wide peaks.
    public let usesPriorWeights: Bool
    /// Width of the Cauchy channel maps in units of the peak width.
    public let mappingWidthFactor: Double
    let maps: [[PeakMapping]]
    let normalisations: [Double]

    public var channelCount: Int { peaks.count }
    public var featureCount: Int { dimension }

    public init(name: String = "gaussians", dimension: Int, peaks: [Peak], usesPriorWeights: Bool = true,
                mappingWidthFactor: Double = 1) throws {
        try requireToy(dimension >= 1, "gaussians: dimension must be ≥ 1, got \(dimension)")
        try requireToy(!peaks.isEmpty, "gaussians: need at least one peak")
        try requireToy(mappingWidthFactor > 0, "gaussians: mapping width factor must be > 0")
        for (k, p) in peaks.enumerated() {
            try requireToy(p.centre.count == dimension,
                           "gaussians: peak \(k) has \(p.centre.count) centre coordinates, dimension is \(dimension)")
            try requireToy(p.centre.allSatisfy { $0 > 0 && $0 < 1 }, "gaussians: peak \(k) centre must lie inside (0,1)")
            try requireToy(p.width > 0 && p.width.isFinite, "gaussians: peak \(k) width must be > 0")
            try requireToy(p.amplitude > 0 && p.amplitude.isFinite, "gaussians: peak \(k) amplitude must be > 0")
        }
        self.name = name
        self.dimension = dimension
        self.peaks = peaks
        self.usesPriorWeights = usesPriorWeights
        self.mappingWidthFactor = mappingWidthFactor
        maps = peaks.map { p in p.centre.map { PeakMapping(centre: $0, width: p.width * mappingWidthFactor) } }
        normalisations = peaks.map { p in p.amplitude / pow((2 * Double.pi).squareRoot() * p.width, Double(dimension)) }
    }

    /// `peaks` peaks of equal width and amplitude, centres placed deterministically on a diagonal-ish pattern
    /// well inside the cube: peak k at 0.25 + 0.5·k/(peaks−1) in even coordinates and the mirror in odd ones.
    public static func standard(dimension: Int, peaks: Int, width: Double, usesPriorWeights: Bool = true) throws -> GaussianMixture {
        try requireToy(peaks >= 1, "gaussians: peaks must be ≥ 1, got \(peaks)")
        let list = (0..<peaks).map { k -> Peak in
            let t = peaks == 1 ? 0.5 : 0.25 + 0.5 * Double(k) / Double(peaks - 1)
            return Peak(centre: (0..<dimension).map { $0 % 2 == 0 ? t : 1 - t }, width: width)
        }
        return try GaussianMixture(dimension: dimension, peaks: list, usesPriorWeights: usesPriorWeights)
    }

    /// Lepage's camel: two Gaussians at (1/3,…) and (2/3,…) of width 0.1/√2 and weight ½ each.
    public static func camel(dimension: Int, width: Double = 0.1 / 2.0.squareRoot(), usesPriorWeights: Bool = true) throws -> GaussianMixture {
        try GaussianMixture(name: "camel", dimension: dimension, peaks: [
            Peak(centre: Array(repeating: 1.0 / 3, count: dimension), width: width, amplitude: 0.5),
            Peak(centre: Array(repeating: 2.0 / 3, count: dimension), width: width, amplitude: 0.5),
        ], usesPriorWeights: usesPriorWeights)
    }

    /// Σ_k A_k Π_d ½[erf((1−μ)/(√2σ)) + erf(μ/(√2σ))]: the normalised Gaussians truncated to the cube.
    public var exactIntegral: Double {
        peaks.reduce(0) { sum, p in
            let s = 2.0.squareRoot() * p.width
            return sum + p.amplitude * p.centre.reduce(1) { $0 * 0.5 * (erf((1 - $1) / s) + erf($1 / s)) }
        }
    }

    @inline(__always)
    func peakDensity(_ k: Int, _ x: UnsafePointer<Double>) -> Double {
        let p = peaks[k]
        var r2 = 0.0
        for d in 0..<dimension { let t = x[d] - p.centre[d]; r2 += t * t }
        return normalisations[k] * exp(-0.5 * r2 / (p.width * p.width))
    }

    public func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
        precondition(channel >= 0 && channel < channelCount && points.cols == dimension)
        let n = points.rows, dim = dimension, c = channelCount
        var value = [Double](repeating: 0, count: n)
        var x = MatrixD(rows: n, cols: dim)
        var prior = MatrixD(rows: usesPriorWeights ? n : 0, cols: usesPriorWeights ? c : 0)
        let channelMaps = maps[channel]
        var densities = [Double](repeating: 0, count: c)
        x.storage.withUnsafeMutableBufferPointer { xs in
            for i in 0..<n {
                var jacobian = 1.0
                for d in 0..<dim {
                    let (xd, jd) = channelMaps[d].map(points.storage[i &* dim &+ d])
                    xs[i &* dim &+ d] = xd
                    jacobian *= jd
                }
                let xi = UnsafePointer(xs.baseAddress! + i &* dim)
                var f = 0.0
                for k in 0..<c { f += peakDensity(k, xi) }
                value[i] = f * jacobian
                if usesPriorWeights {
                    var sum = 0.0
                    for k in 0..<c {
                        var g = 1.0
                        for d in 0..<dim { g *= maps[k][d].density(xi[d]) }
                        densities[k] = g
                        sum += g
                    }
                    for k in 0..<c { prior.storage[i &* c &+ k] = sum > 0 ? densities[k] / sum : 1 / Double(c) }
                }
            }
        }
        result.value = value
        result.features = x
        result.priorWeights = prior
    }
}
