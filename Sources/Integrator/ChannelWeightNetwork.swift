// The learned channel weights of MadNIS (arXiv:2212.06172 §3.2): α(x) = softmax_active(log α⁰(x) + NN(x)).
// The last layer starts at zero, so training starts from the prior; the net is shared by all channels (and
// ranks), so its gradients are summed over the communicator before each step.
// The learned shift is bounded, z = log α⁰ + L·tanh(NN/L): the loss only sees channel c's α_c where channel c
// samples, so an unbounded net can hand weight to a channel in a region that channel practically never
// visits — the variance there is invisible to the training batches and the integral silently loses that mass
// (observed on the Gaussian toys). Bounding the shift keeps α_c within e^{±2L} of the prior, whose support
// follows the channels' mappings. That bound does not follow the flows, which can stop sampling where the
// prior still gives weight; with `usesChannelDensities` the prior is every channel's current density at the
// point instead, α ∝ a·g (DensityAwareChannelWeights.swift), and α_c vanishes wherever channel c stops sampling.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Numerics
import Flows
import Cluster

public final class ChannelWeightNetwork: ChannelWeights {
    public let channelCount: Int
    public let featureCount: Int
    let network: MLP<Float>
    var optimizer: Adam<Float>
    /// Clip the (rank-summed) gradient norm to this before the step.
    public var maxGradientNorm: Double
    /// When frozen, `backward` and `step` do nothing: α stays as it is (MadNIS Reloaded trains it for part of the run).
    public var isFrozen = false
    // Forward cache: α of the last batch (needed by the softmax backward).
    private var lastAlpha = MatrixD(rows: 0, cols: 0)
    private var inputs = MatrixF(rows: 0, cols: 0)
    private var squashed = MatrixF(rows: 0, cols: 0)
    /// L of the bounded logit shift (nil: unbounded).
    public let logitBound: Double?
    public let usesChannelDensities: Bool

    public init(channelCount: Int, featureCount: Int, hidden: [Int] = [32, 32], activation: Activation = .leakyReLU(slope: 0.01),
                maxGradientNorm: Double = 10, logitBound: Double? = 2, usesChannelDensities: Bool = false, seed: UInt64) {
        self.usesChannelDensities = usesChannelDensities
        precondition(logitBound.map { $0 > 0 } ?? true, "ChannelWeightNetwork: logit bound must be > 0")
        self.logitBound = logitBound
        precondition(channelCount >= 1 && featureCount >= 1)
        self.channelCount = channelCount
        self.featureCount = featureCount
        self.maxGradientNorm = maxGradientNorm
        var rng = RandomStream(seed: seed, stream: 0xC4A_77E1)
        network = MLP<Float>(inputs: featureCount, hidden: hidden, outputs: channelCount, activation: activation,
                             zeroInitLastLayer: true, rng: &rng)
        optimizer = Adam<Float>(learningRate: 1e-3)
    }

    public var isTrainable: Bool { !isFrozen }
    public var parameters: [Float] {
        get { network.parameters }
        set { network.parameters = newValue }
    }
    /// Adam's moments and step count (for model files).
    public var optimizerState: (m: [Float], v: [Float], stepCount: Int) { optimizer.state }
    public func restoreOptimizer(m: [Float], v: [Float], stepCount: Int) { optimizer.restore(m: m, v: v, stepCount: stepCount) }

    public func forward(features: MatrixD, prior: MatrixD, active: [Bool]) -> MatrixD {
        let n = features.rows, c = channelCount
        precondition(features.cols == featureCount && active.count == c, "ChannelWeightNetwork: input shape")
        inputs.resize(rows: n, cols: featureCount)
        for i in 0..<features.storage.count { inputs.storage[i] = Float(features.storage[i]) }
        var logits = network.forward(inputs)
        if let bound = logitBound {
            let l = Float(bound)
            squashed.resize(rows: n, cols: c)
            for i in 0..<logits.storage.count {
                let t = tanh(logits.storage[i] / l)
                squashed.storage[i] = t
                logits.storage[i] = l * t
            }
        }
        let hasPrior = prior.rows == n && prior.cols == c && n > 0
        var alpha = MatrixD(rows: n, cols: c)
        for i in 0..<n {
            var top = -Double.infinity
            for k in 0..<c where active[k] {
                let p = hasPrior ? prior.storage[i &* c &+ k] : 1
                // log of a zero prior is −∞: that channel gets α = 0 unless all active priors vanish.
                let z = Double(logits.storage[i &* c &+ k]) + (p > 0 ? log(p) : -.infinity)
                alpha.storage[i &* c &+ k] = z
                top = max(top, z)
            }
            if top == -.infinity {
                for k in 0..<c where active[k] { alpha.storage[i &* c &+ k] = Double(logits.storage[i &* c &+ k]) }
                top = (0..<c).filter { active[$0] }.map { alpha.storage[i &* c &+ $0] }.max() ?? 0
            }
            var sum = 0.0
            for k in 0..<c {
                let e = active[k] ? exp(alpha.storage[i &* c &+ k] - top) : 0
                alpha.storage[i &* c &+ k] = e
                sum += e
            }
            for k in 0..<c { alpha.storage[i &* c &+ k] /= sum }
        }
        lastAlpha = alpha
        return alpha
    }

    /// Softmax backward: dL/dz_k = α_k (dL/dα_k − Σ_j α_j dL/dα_j); inactive channels have α = 0, so no gradient.
    public func backward(_ dAlpha: MatrixD) {
        guard !isFrozen else { return }
        let n = lastAlpha.rows, c = channelCount
        precondition(dAlpha.rows == n && dAlpha.cols == c, "ChannelWeightNetwork.backward: shape")
        var dz = MatrixF(rows: n, cols: c)
        for i in 0..<n {
            var dot = 0.0
            for k in 0..<c { dot += lastAlpha.storage[i &* c &+ k] * dAlpha.storage[i &* c &+ k] }
            for k in 0..<c {
                let a = lastAlpha.storage[i &* c &+ k]
                dz.storage[i &* c &+ k] = Float(a * (dAlpha.storage[i &* c &+ k] - dot))
            }
        }
        if logitBound != nil {
            for i in 0..<dz.storage.count { let t = squashed.storage[i]; dz.storage[i] *= 1 - t * t }
        }
        _ = network.backward(dz)
    }

    public func step(learningRate: Double, communicator: any Communicator) {
        guard !isFrozen else { network.zeroGradients(); return }
        var g = network.gradients
        communicator.allreduce(&g, .sum)
        clipGradientNorm(&g, maxNorm: maxGradientNorm)
        optimizer.learningRate = learningRate
        var p = network.parameters
        optimizer.step(parameters: &p, gradients: g)
        network.parameters = p
        network.zeroGradients()
    }
}
