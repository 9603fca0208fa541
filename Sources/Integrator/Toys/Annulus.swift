// A thin ring in the unit square: f = exp(−(r−r₀)²/(2w²)) for r = |x − (½,½)| < ½, zero outside.
// Channel 0 is polar (a Cauchy map on r around r₀, uniform angle), channel 1 is the identity map;
// the ring is a curved ridge no product grid (VEGAS) can follow, a classic flow test.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Numerics

public struct Annulus: ToyIntegrand, Sendable {
    public let name = "ring"
    public let dimension = 2
    public let channelCount = 2
    public let featureCount = 2
    public let radius: Double
    public let width: Double
    /// Support radius: the disk inscribed in the unit square.
    public let outerRadius = 0.5
    let radialMap: PeakMapping
    /// Multi-channel prior α⁰_c = g_c/Σg from the two mappings' densities (polar g₀, flat g₁ = 1).
    public let usesPriorWeights: Bool

    public init(radius: Double = 0.3, width: Double = 0.02, usesPriorWeights: Bool = true) throws {
        try requireToy(width > 0 && width.isFinite, "ring: width must be > 0, got \(width)")
        try requireToy(radius > 0 && radius < 0.5, "ring: radius must lie in (0, 0.5), got \(radius)")
        self.radius = radius
        self.width = width
        self.usesPriorWeights = usesPriorWeights
        radialMap = PeakMapping(centre: radius, width: 2 * width, lower: 0, upper: 0.5)
    }

    /// 2π ∫₀^R r e^{−(r−r₀)²/2w²} dr = 2π { w²[e^{−r₀²/2w²} − e^{−(R−r₀)²/2w²}] + r₀ w √(π/2) [erf((R−r₀)/√2w) + erf(r₀/√2w)] }.
    public var exactIntegral: Double {
        let w = width, r0 = radius, big = outerRadius, s = 2.0.squareRoot() * w
        let gaussianPart = w * w * (exp(-r0 * r0 / (2 * w * w)) - exp(-(big - r0) * (big - r0) / (2 * w * w)))
        let errorPart = r0 * w * (Double.pi / 2).squareRoot() * (erf((big - r0) / s) + erf(r0 / s))
        return 2 * Double.pi * (gaussianPart + errorPart)
    }

    @inline(__always)
    func density(_ x0: Double, _ x1: Double) -> Double {
        let r = ((x0 - 0.5) * (x0 - 0.5) + (x1 - 0.5) * (x1 - 0.5)).squareRoot()
        if r >= outerRadius { return 0 }
        let t = (r - radius) / width
        return exp(-0.5 * t * t)
    }

    public func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
        precondition(channel >= 0 && channel < channelCount && points.cols == 2)
        let n = points.rows
        var value = [Double](repeating: 0, count: n)
        var x = MatrixD(rows: n, cols: 2)
        var prior = MatrixD(rows: usesPriorWeights ? n : 0, cols: usesPriorWeights ? 2 : 0)
        for i in 0..<n {
            let y0 = points.storage[2 &* i], y1 = points.storage[2 &* i &+ 1]
            var x0 = y0, x1 = y1, jacobian = 1.0
            if channel == 0 {
                let (r, jr) = radialMap.map(y0)
                let phi = 2 * Double.pi * y1
                x0 = 0.5 + r * cos(phi)
                x1 = 0.5 + r * sin(phi)
                jacobian = jr * 2 * Double.pi * r
            }
            x.storage[2 &* i] = x0
            x.storage[2 &* i &+ 1] = x1
            value[i] = density(x0, x1) * jacobian
            if usesPriorWeights {
                // Polar density in x: g₀ = g_r(r)/(2π r) inside the disk.
                let r = ((x0 - 0.5) * (x0 - 0.5) + (x1 - 0.5) * (x1 - 0.5)).squareRoot()
                let g0 = r > 0 && r < outerRadius ? radialMap.density(r) / (2 * Double.pi * r) : 0
                prior.storage[2 &* i] = g0 / (g0 + 1)
                prior.storage[2 &* i &+ 1] = 1 / (g0 + 1)
            }
        }
        result.value = value
        result.features = x
        result.priorWeights = prior
    }
}
