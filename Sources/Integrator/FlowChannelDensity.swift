// A normalizing flow (rational-quadratic coupling flow from the Flows module) as a channel's density, with its
// own Adam optimiser: flows are per channel and live on the rank that owns the channel, so their gradients are
// never communicated.
import Numerics
import Flows

public final class FlowChannelDensity<T: GEMMScalar>: ChannelDensity {
    public let flow: CouplingFlow<T>
    var optimizer: Adam<T>
    /// Clip the gradient norm to this before each step (nil: no clipping).
    public var maxGradientNorm: Double?
    private var latent = Matrix<T>(rows: 0, cols: 0)

    public init(dimension: Int, config: FlowConfig = FlowConfig(), seed: UInt64, maxGradientNorm: Double? = 10) {
        flow = CouplingFlow<T>(dimension: dimension, conditionDimension: 0, config: config, seed: seed)
        optimizer = Adam<T>(learningRate: 1e-3)
        self.maxGradientNorm = maxGradientNorm
    }

    public var dimension: Int { flow.dimension }
    public var isTrainable: Bool { true }

    public func sample(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double]) {
        latent.resize(rows: count, cols: dimension)
        for i in 0..<latent.storage.count { latent.storage[i] = T(rng.uniform()) }
        let (x, logQ) = flow.sample(latent: latent)
        return (Self.toDouble(x), logQ.map(\.doubleValue))
    }

    public func logDensityForTraining(_ points: MatrixD) -> [Double] {
        var x = Matrix<T>(rows: points.rows, cols: points.cols)
        for i in 0..<points.storage.count { x.storage[i] = T(points.storage[i]) }
        return flow.logDensity(x).map(\.doubleValue)
    }

    public func backward(_ dLogDensity: [Double]) {
        flow.backwardLogDensity(dLogDensity.map { T($0) })
    }

    public func step(learningRate: Double) {
        var g = flow.gradients
        if let maxNorm = maxGradientNorm { clipGradientNorm(&g, maxNorm: maxNorm) }
        // A non-finite gradient (an extreme weight) would poison the parameters: skip the step instead.
        if g.allSatisfy({ $0.isFinite }) {
            optimizer.learningRate = learningRate
            var p = flow.parameters
            optimizer.step(parameters: &p, gradients: g)
            flow.parameters = p
        }
        flow.zeroGradients()
    }

    public func observe(points: MatrixD, weights: [Double]) {}
    public func adapt() {}

    static func toDouble(_ m: Matrix<T>) -> MatrixD {
        MatrixD(rows: m.rows, cols: m.cols, storage: m.storage.map(\.doubleValue))
    }
}
