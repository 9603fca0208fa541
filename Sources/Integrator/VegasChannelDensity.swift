// A VEGAS grid as a channel's density: y = G(u) piecewise linear per coordinate, q(y) = 1/|∂y/∂u|,
// adapted from the squared weights of the points it produced (VEGAS+, arXiv:2009.05112, in Flows).
import Numerics
import Flows

public final class VegasChannelDensity: ChannelDensity {
    public private(set) var grid: VegasGrid
    public var damping: Double
    /// What the grid equalises across bins: the squared weights (classic VEGAS, minimises the variance) or
    /// their magnitudes (less sensitive to a single outlier when a channel has few points).
    public var adaptsOnMagnitude = false

    public init(dimension: Int, bins: Int = 64, damping: Double = VegasGrid.defaultDamping) {
        grid = VegasGrid(dimension: dimension, bins: bins)
        self.damping = damping
    }

    public var dimension: Int { grid.dimension }
    public var isTrainable: Bool { false }

    public func sample(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double]) {
        var u = MatrixD(rows: count, cols: dimension)
        rng.fillUniform(&u.storage)
        let (y, jacobian) = grid.map(u)
        return (y, jacobian.map { -_log($0) })
    }

    public func logDensityForTraining(_ points: MatrixD) -> [Double] {
        grid.inverseMap(points).jacobian.map { -_log($0) }
    }

    public func backward(_ dLogDensity: [Double]) {}
    public func step(learningRate: Double) {}

    /// The grid adapts to (α·f·J)² = w² binned in the grid's own coordinates u = G⁻¹(y).
    public func observe(points: MatrixD, weights: [Double]) {
        let u = grid.inverseMap(points).u
        grid.accumulate(u, weightsSquared: adaptsOnMagnitude ? weights.map { abs($0) } : weights.map { $0 * $0 })
    }

    public func adapt() { grid.adapt(damping: damping) }

    /// The grid's gathered statistics (see `VegasGrid.accumulated`).
    public var accumulated: [Double] {
        get { grid.accumulated }
        set { grid.accumulated = newValue }
    }

    /// Replace the grid (e.g. by the one its channel's owner adapted).
    public func load(_ newGrid: VegasGrid) {
        precondition(newGrid.dimension == grid.dimension, "VegasChannelDensity.load: dimension mismatch")
        grid = newGrid
    }
}
