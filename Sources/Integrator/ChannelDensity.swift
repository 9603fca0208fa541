// The density placed in front of one channel's mapping: y = G(r) from uniform r with density q(y) on [0,1]^d.
// A normalizing flow (trained by gradients), a VEGAS grid (adapted from weights) and the identity all fit;
// the sampler and trainer only see this protocol.
import Numerics

public protocol ChannelDensity: AnyObject {
    var dimension: Int { get }
    /// Draw `count` points y and their log q(y).
    func sample(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double])
    /// log q(y) of given points, keeping what `backward` needs (the flow's training pass).
    func logDensityForTraining(_ points: MatrixD) -> [Double]
    /// Accumulate ∂/∂θ of Σ_i d_i·log q(y_i) for the points of the last `logDensityForTraining` call.
    func backward(_ dLogDensity: [Double])
    /// One optimiser step on the accumulated gradients (then cleared). No-op for untrainable densities.
    func step(learningRate: Double)
    /// Feed weights of sampled points (VEGAS grid adaptation); trainable densities ignore it.
    func observe(points: MatrixD, weights: [Double])
    /// Adapt from what was observed (VEGAS); no-op for flows.
    func adapt()
    var isTrainable: Bool { get }
    /// `sample` that also leaves the state `backward` needs (on-policy training step in one pass); the
    /// returned log densities are then the training pass's log q.
    func sampleForTraining(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double])
    /// log q(y) of given points, leaving the training state alone (densities at other channels' points).
    func logDensity(_ points: MatrixD) -> [Double]
}

public extension ChannelDensity {
    /// For densities without training state the training pass is the plain density.
    func logDensity(_ points: MatrixD) -> [Double] { logDensityForTraining(points) }

    func sampleForTraining(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double]) {
        let (y, _) = sample(count: count, rng: &rng)
        return (y, logDensityForTraining(y))
    }
}

/// q = 1 on the unit cube: plain multi-channel sampling, and a test double.
public final class UniformDensity: ChannelDensity {
    public let dimension: Int
    public init(dimension: Int) { self.dimension = dimension }
    public func sample(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double]) {
        var y = MatrixD(rows: count, cols: dimension)
        rng.fillUniform(&y.storage)
        return (y, [Double](repeating: 0, count: count))
    }
    public func logDensityForTraining(_ points: MatrixD) -> [Double] { [Double](repeating: 0, count: points.rows) }
    public func backward(_ dLogDensity: [Double]) {}
    public func step(learningRate: Double) {}
    public func observe(points: MatrixD, weights: [Double]) {}
    public func adapt() {}
    public var isTrainable: Bool { false }
}
