// A normalizing flow (rational-quadratic coupling flow from the Flows module) as a channel's density, with its
// own Adam optimiser: flows are per channel and live on the rank that owns the channel, so their gradients are
// never communicated.
// Optional defensive mixture (Hesterberg, Technometrics 37 (1995) 185): q = (1−ε)·q_flow + ε·1 on [0,1]^d bounds
// the weights by α·f·J/ε and keeps every region of the channel visible to the loss; a fraction ε of each batch
// is drawn uniformly. It is off by default: where q_flow ≪ ε the mixture's gradient with respect to the flow
// vanishes, and on the Gaussian toys it cost efficiency without curing the channel-weight net's bias.
// With `defensiveGrid` set the second component is that VEGAS grid's density instead of the uniform one:
// weights are then bounded by w_VEGAS/ε, so training cannot open a tail worse than the grid's.
// With `coordinateGrid` set the flow acts in that VEGAS grid's coordinates: y = G(z), z from the flow, so
// q(y) = q_flow(z)/|∂y/∂z|. A flow at the identity is then exactly the grid (a spline cannot reproduce a
// piecewise-linear map: started *at* the grid it undershoots it by up to 100× near narrow bins at W + 3 jets),
// it learns a correction to a map that already flattens the integrand, and its uniform defensive component
// is the grid itself.
import Numerics
import Flows

public final class FlowChannelDensity<T: GEMMScalar>: ChannelDensity {
    public let flow: CouplingFlow<T>
    var optimizer: Adam<T>
    /// Clip the gradient norm to this before each step (nil: no clipping).
    public var maxGradientNorm: Double?
    /// ε of the defensive mixture (0: the bare flow).
    public let uniformFraction: Double
    /// The mixture's second component: this grid's density (nil: uniform on [0,1]^d).
    public var defensiveGrid: VegasGrid?
    /// The grid whose coordinates the flow acts in (nil: the flow acts on [0,1]^d itself).
    public var coordinateGrid: VegasGrid?
    /// q_flow/q of the last training pass (chain rule of the mixture).
    private var flowShare: [Double] = []

    public init(dimension: Int, config: FlowConfig = FlowConfig(), seed: UInt64, maxGradientNorm: Double? = 10,
                uniformFraction: Double = 0) {
        precondition(uniformFraction >= 0 && uniformFraction < 1, "FlowChannelDensity: uniform fraction must be in [0,1)")
        flow = CouplingFlow<T>(dimension: dimension, conditionDimension: 0, config: config, seed: seed)
        optimizer = Adam<T>(learningRate: 1e-3)
        self.maxGradientNorm = maxGradientNorm
        self.uniformFraction = uniformFraction
    }

    /// log((1−ε)e^{l} + ε e^{m}) and the flow's share (1−ε)e^{l}/q, m the second component's log density.
    @inline(__always)
    func mix(_ logFlow: Double, _ logOther: Double = 0) -> (logQ: Double, share: Double) {
        let eps = uniformFraction
        if eps == 0 { return (logFlow, 1) }
        // Log-sum-exp: in 10+ dimensions either density can be far outside Double's exp range.
        let la = _log(1 - eps) + logFlow, lb = _log(eps) + logOther
        let top = max(la, lb)
        let ea = _exp(la - top), eb = _exp(lb - top)
        return (top + _log(ea + eb), ea / (ea + eb))
    }

    /// log density of the grid component at points y; nil when the second component is uniform (log 1 = 0)
    /// or there is no mixture.
    func logDefensive(_ y: MatrixD) -> [Double]? {
        guard uniformFraction > 0, let grid = defensiveGrid else { return nil }
        return grid.inverseMap(y).jacobian.map { -_log($0) }
    }

    /// Place the flow in front of its channel's VEGAS `grid`: in the grid's coordinates (`inGridCoordinates`;
    /// `start` sets the flow to the identity, so it samples exactly as the grid), or on the unit cube (`start`
    /// sets the spline to reproduce the grid at its knots), with the grid as defensive component if asked.
    public func place(on grid: VegasGrid, inGridCoordinates: Bool, gridIsDefensive: Bool, start: Bool) {
        if inGridCoordinates {
            coordinateGrid = grid
            if start { flow.initialize(fromVegas: VegasGrid(dimension: grid.dimension, bins: flow.config.bins)) }
        } else {
            if start { flow.initialize(fromVegas: grid) }
            if gridIsDefensive { defensiveGrid = grid }
        }
    }

    public var dimension: Int { flow.dimension }
    public var isTrainable: Bool { true }

    /// The first n − round(εn) points come from the flow, the rest are uniform (a fixed split keeps runs
    /// reproducible and the estimator a plain stratified mixture).
    public func sample(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double]) {
        let d = dimension
        let uniformCount = min(Int((Double(count) * uniformFraction).rounded()), count)
        let flowCount = count - uniformCount
        var (x, logFlowT) = flow.sample(latent: Self.uniformLatent(rows: flowCount, cols: d, rng: &rng))
        if uniformCount > 0 {
            let u: Matrix<T>
            if let grid = defensiveGrid {
                var v = MatrixD(rows: uniformCount, cols: d)
                rng.fillUniform(&v.storage)
                u = Matrix<T>(rows: uniformCount, cols: d, storage: T.values(grid.map(v).x.storage))
            } else {
                u = Self.uniformLatent(rows: uniformCount, cols: d, rng: &rng)
            }
            let (_, logU) = flow.inverse(u)
            x.resize(rows: count, cols: d)
            x.storage.replaceSubrange((flowCount * d)..<(count * d), with: u.storage)
            logFlowT.append(contentsOf: logU)
        }
        // The points in the flow's coordinates (Double), and both components' densities there.
        let points = Self.toDouble(x)
        let logFlow = T.doubles(logFlowT)
        let logOther = logDefensive(points)
        return fromFlowCoordinates(points, (0..<count).map { mix(logFlow[$0], logOther?[$0] ?? 0).logQ })
    }

    /// y = G(z) and log q(y) = log q(z) − log|∂y/∂z| (the identity without a coordinate grid).
    func fromFlowCoordinates(_ z: MatrixD, _ logQ: [Double]) -> (points: MatrixD, logDensity: [Double]) {
        guard let grid = coordinateGrid else { return (z, logQ) }
        let (y, jacobian) = grid.map(z)
        return (y, (0..<logQ.count).map { logQ[$0] - _log(jacobian[$0]) })
    }

    /// z = G⁻¹(y) as the flow's input, and −log|∂y/∂z| to add to its log density.
    func toFlowCoordinates(_ y: MatrixD) -> (z: MatrixD, x: Matrix<T>, logJacobian: [Double]) {
        var logJacobian = [Double](repeating: 0, count: y.rows)
        var z = y
        if let grid = coordinateGrid {
            let (u, jacobian) = grid.inverseMap(y)
            z = u
            logJacobian = jacobian.map { -_log($0) }
        }
        return (z, Matrix<T>(rows: z.rows, cols: z.cols, storage: T.values(z.storage)), logJacobian)
    }

    /// One pass (the flow keeps its backward cache while sampling) for the bare flow; with the defensive mixture
    /// the uniform points need the density pass anyway, so sample and recompute.
    public func sampleForTraining(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double]) {
        guard uniformFraction == 0 else {
            let (y, _) = sample(count: count, rng: &rng)
            return (y, logDensityForTraining(y))
        }
        let (x, logQ) = flow.sampleForTraining(latent: Self.uniformLatent(rows: count, cols: dimension, rng: &rng))
        flowShare = [Double](repeating: 1, count: count)
        return fromFlowCoordinates(Self.toDouble(x), T.doubles(logQ))
    }

    public func logDensityForTraining(_ points: MatrixD) -> [Double] {
        let (z, x, logJacobian) = toFlowCoordinates(points)
        let logFlow = T.doubles(flow.logDensity(x))
        let logOther = logDefensive(z)
        flowShare = [Double](repeating: 1, count: logFlow.count)
        var logQ = [Double](repeating: 0, count: logFlow.count)
        for i in logFlow.indices {
            let m = mix(logFlow[i], logOther?[i] ?? 0)
            logQ[i] = m.logQ + logJacobian[i]
            flowShare[i] = m.share
        }
        return logQ
    }

    /// The flow's inverse pass (no backward cache) mixed like the training pass.
    public func logDensity(_ points: MatrixD) -> [Double] {
        let (z, x, logJacobian) = toFlowCoordinates(points)
        let logFlow = T.doubles(flow.inverse(x).logDetJ)
        let logOther = logDefensive(z)
        return logFlow.indices.map { mix(logFlow[$0], logOther?[$0] ?? 0).logQ + logJacobian[$0] }
    }

    /// dL/dlog q_flow = dL/dlog q · (1−ε) q_flow / q.
    public func backward(_ dLogDensity: [Double]) {
        precondition(dLogDensity.count == flowShare.count, "FlowChannelDensity.backward: call logDensityForTraining first")
        flow.backwardLogDensity(T.values((0..<dLogDensity.count).map { dLogDensity[$0] * flowShare[$0] }))
    }

    public func step(learningRate: Double) {
        var g = flow.gradients
        // A non-finite gradient (an extreme weight) would poison the parameters: skip the step instead. The
        // norm is finite exactly when every component is.
        let norm = maxGradientNorm.map { clipGradientNorm(&g, maxNorm: $0) } ?? g.withUnsafeBufferPointer { T.sumOfSquares($0) }.squareRoot()
        if norm.isFinite {
            optimizer.learningRate = learningRate
            var p = flow.parameters
            optimizer.step(parameters: &p, gradients: g)
            flow.parameters = p
        }
        flow.zeroGradients()
    }

    public func observe(points: MatrixD, weights: [Double]) {}
    public func adapt() {}

    /// Adam's moments and step count (for model files).
    public var optimizerState: (m: [T], v: [T], stepCount: Int) { optimizer.state }
    public func restoreOptimizer(m: [T], v: [T], stepCount: Int) { optimizer.restore(m: m, v: v, stepCount: stepCount) }

    // Element loops over T in this generic class run unspecialised (a key-path map cost ~1,000 instructions
    // per element, more than the flow's spline): whole arrays go through T's concrete conversions instead.
    static func toDouble(_ m: Matrix<T>) -> MatrixD {
        MatrixD(rows: m.rows, cols: m.cols, storage: T.doubles(m.storage))
    }

    /// Uniform latent points, drawn in the stream's order (row-major) as before.
    static func uniformLatent(rows: Int, cols: Int, rng: inout RandomStream) -> Matrix<T> {
        var u = [Double](repeating: 0, count: rows * cols)
        rng.fillUniform(&u)
        return Matrix<T>(rows: rows, cols: cols, storage: T.values(u))
    }
}

/// A trainable density whose gradients can be summed over the ranks that share its channel.
public protocol SharedGradientDensity: AnyObject {
    var gradientCount: Int { get }
    func accumulatedGradients() -> [Double]
    func replaceGradients(_ g: [Double])
}

extension FlowChannelDensity: SharedGradientDensity {
    public var gradientCount: Int { flow.parameterCount }
    public func accumulatedGradients() -> [Double] { T.doubles(flow.gradients) }
    public func replaceGradients(_ g: [Double]) { flow.setGradients(T.values(g)) }
}
