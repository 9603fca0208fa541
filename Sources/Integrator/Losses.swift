// Training losses of the multi-channel sampler, each returning the loss and its derivatives with respect to
// log q_c(y_i) (fed to the flow's backward) and α_c(x_i) (fed to the channel-weight net's backward).
// Points may come from an older density q_s (replay buffer): every estimator is an importance-sampling
// average over x ~ q_s with the density ratio q/q_s (MadNIS Reloaded, arXiv:2311.01548 §3.1).
//
// Per channel c with n points, F_i = α_i·v_i (v = f·|∂x/∂y|), q_i current and s_i sampling density:
//   m_c = (1/n) Σ F_i/s_i                           channel integral estimate
//   V_c = (1/n) Σ (F_i/q_i − m_c)² · q_i/s_i        variance of the weights under q (the reference's
//                                                   `_variance`, arXiv:2212.06172 eq. 13)
//   variance             L = Σ_c V_c / Â²
//   stratified variance  L = (Σ_c √(V_c+ε))² / Â²  (variance of the total with Neyman allocation)
//   soft-clipped         stratified variance with F replaced by s·N·t·asinh(F/(s·N·t)), N = m_c (|F|), t = threshold
//   KL                   L = Σ_c (1/n) Σ (f̂_i/s_i)(log f̂_i − log q_i), f̂ = |F|/Â_c   (α detached: dL/dα = 0)
//   reverse KL           L = Σ_c (1/n) Σ (q_i/s_i)(log q_i − log f̂_i)                  (α detached)
// Â = Σ_c (1/n) Σ |F_i|/s_i is a detached normalisation (held constant in the derivatives), as in the reference.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Cluster

public enum TrainingLoss: Sendable, Equatable {
    case variance
    case stratifiedVariance
    case softClippedVariance(threshold: Double)
    case kl
    case reverseKL

    public static func named(_ name: String) -> TrainingLoss? {
        switch name {
        case "variance": return .variance
        case "stratified", "stratified-variance": return .stratifiedVariance
        case "softclip", "soft-clipped-variance": return .softClippedVariance(threshold: 30)
        case "kl": return .kl
        case "rkl", "reverse-kl": return .reverseKL
        default: return nil
        }
    }

    /// Whether the loss depends on α (KL-type losses train the flows only).
    public var trainsChannelWeights: Bool {
        switch self {
        case .variance, .stratifiedVariance, .softClippedVariance: return true
        case .kl, .reverseKL: return false
        }
    }
}

/// One channel's points as the loss sees them.
public struct ChannelLossBatch: Sendable {
    public var channel: Int
    /// v_i = f·|∂x/∂y| from the integrand.
    public var value: [Double]
    /// α_c(x_i) from the channel-weight net.
    public var alpha: [Double]
    /// log q_c(y_i) of the current flow (the quantity being trained).
    public var logQ: [Double]
    /// log density the points were drawn from (equals logQ for fresh points).
    public var logQSample: [Double]
    /// This rank's fraction of the channel's points in this step (1 unless ranks share the channel): the
    /// channel's mean and variance are the owners' estimates combined with these weights.
    public var share: Double = 1

    public init(channel: Int, value: [Double], alpha: [Double], logQ: [Double], logQSample: [Double], share: Double = 1) {
        precondition(value.count == alpha.count && value.count == logQ.count && value.count == logQSample.count,
                     "ChannelLossBatch: arrays of different lengths")
        self.channel = channel
        self.value = value
        self.alpha = alpha
        self.logQ = logQ
        self.logQSample = logQSample
        self.share = share
    }
}

public struct LossResult: Sendable {
    /// The global loss (identical on every rank).
    public var loss: Double
    /// dL/dlog q_i per batch, in the order of the batches passed in.
    public var dLogQ: [[Double]]
    /// dL/dα_i per batch.
    public var dAlpha: [[Double]]
}

public struct MultiChannelLoss: Sendable {
    public var kind: TrainingLoss
    /// ε under the square roots of the stratified variance (keeps the gradient finite for a zero channel).
    public var epsilon: Double = 1e-30

    public init(_ kind: TrainingLoss) { self.kind = kind }

    /// Evaluate on this rank's batches; per-channel sums are reduced over `communicator`, so every rank gets
    /// the same loss and the gradients of the global loss with respect to its own points.
    /// `fixedScale` replaces the detached normalisation Â (tests use it for finite differences).
    public func evaluate(_ batches: [ChannelLossBatch], channelCount: Int, communicator: any Communicator,
                         fixedScale: Double? = nil) -> LossResult {
        // Soft clipping transforms F before everything else; remember dF̃/dF for the α chain rule.
        var effective = [[Double]]()       // F (or F̃)
        var chain = [[Double]]()           // dF̃/dF
        var absMeans = [Double](repeating: 0, count: channelCount)
        for b in batches {
            let n = Double(max(b.value.count, 1))
            var f = [Double](repeating: 0, count: b.value.count)
            var absMean = 0.0
            for i in f.indices {
                f[i] = b.alpha[i] * b.value[i]
                absMean += abs(f[i]) * exp(-b.logQSample[i])
            }
            absMean = absMean / n * b.share
            var d = [Double](repeating: 1, count: f.count)
            if case .softClippedVariance(let t) = kind, absMean > 0 {
                for i in f.indices {
                    let s = exp(b.logQSample[i]), z = f[i] / (s * absMean * t)
                    f[i] = s * absMean * t * asinh(z)
                    d[i] = 1 / (1 + z * z).squareRoot()
                }
            }
            effective.append(f)
            chain.append(d)
            absMeans[b.channel] += absMean
        }
        // Per-channel summaries [m_c, V_c], reduced with the |F| means over ranks.
        var summary = [Double](repeating: 0, count: 3 * channelCount)
        for (k, b) in batches.enumerated() {
            let (m, v) = Self.meanAndVariance(effective[k], b.logQ, b.logQSample)
            summary[b.channel] += m * b.share
            summary[channelCount + b.channel] += v * b.share
        }
        for c in 0..<channelCount { summary[2 * channelCount + c] = absMeans[c] }
        communicator.allreduce(&summary, .sum)
        let channelAbsMeans = Array(summary[(2 * channelCount)...])
        let scale = fixedScale ?? max(channelAbsMeans.reduce(0, +), Double.leastNormalMagnitude)
        let variances = Array(summary[channelCount..<(2 * channelCount)])

        var result = LossResult(loss: 0, dLogQ: [], dAlpha: [])
        switch kind {
        case .variance, .stratifiedVariance, .softClippedVariance:
            let stratified = kind != .variance
            var sigmaSum = 0.0
            // Only channels with points on some rank take part (dropped channels have none).
            var present = [Double](repeating: 0, count: channelCount)
            for b in batches where !b.value.isEmpty { present[b.channel] = 1 }
            communicator.allreduce(&present, .max)
            for c in 0..<channelCount where present[c] > 0 { sigmaSum += (variances[c] + epsilon).squareRoot() }
            result.loss = stratified ? sigmaSum * sigmaSum / (scale * scale)
                                     : variances.reduce(0, +) / (scale * scale)
            for (k, b) in batches.enumerated() {
                let dLdV = (stratified ? sigmaSum / ((variances[b.channel] + epsilon).squareRoot() * scale * scale)
                                       : 1 / (scale * scale)) * b.share
                var (gq, gf) = Self.varianceGradients(effective[k], b.logQ, b.logQSample)
                for i in gq.indices {
                    gq[i] *= dLdV
                    gf[i] *= dLdV * chain[k][i] * b.value[i]
                }
                result.dLogQ.append(gq)
                result.dAlpha.append(gf)
            }
        case .kl, .reverseKL:
            var localLoss = 0.0
            for b in batches {
                let n = b.value.count
                var gq = [Double](repeating: 0, count: n)
                let norm = fixedScale ?? channelAbsMeans[b.channel]
                if n > 0 && norm > 0 {
                    let invN = b.share / Double(n)
                    for i in 0..<n {
                        let fHat = abs(b.alpha[i] * b.value[i]) / norm
                        let logF = log(fHat + Double.ulpOfOne)
                        if kind == .kl {
                            let p = fHat * exp(-b.logQSample[i])
                            localLoss += invN * p * (logF - b.logQ[i])
                            gq[i] = -invN * p
                        } else {
                            let ratio = exp(b.logQ[i] - b.logQSample[i])
                            localLoss += invN * ratio * (b.logQ[i] - logF)
                            gq[i] = invN * ratio * (b.logQ[i] - logF + 1)
                        }
                    }
                }
                result.dLogQ.append(gq)
                result.dAlpha.append([Double](repeating: 0, count: n))
            }
            result.loss = communicator.allreduce(localLoss, .sum)
        }
        return result
    }

    /// m = (1/n)Σ F/s and V = (1/n)Σ (F/q − m)² q/s.
    static func meanAndVariance(_ f: [Double], _ logQ: [Double], _ logS: [Double]) -> (Double, Double) {
        let n = f.count
        guard n > 0 else { return (0, 0) }
        var m = 0.0
        for i in 0..<n { m += f[i] * exp(-logS[i]) }
        m /= Double(n)
        var v = 0.0
        for i in 0..<n {
            let u = f[i] * exp(-logQ[i]) - m
            v += u * u * exp(logQ[i] - logS[i])
        }
        return (m, v / Double(n))
    }

    /// dV/dlog q_i = −(1/n) ρ_i (u_i² − m²) and dV/dF_i = [2(u_i − m) + D]/(n s_i), D = −(2/n) Σ (u_j − m) ρ_j,
    /// with u = F/q and ρ = q/s (D is the derivative through m).
    static func varianceGradients(_ f: [Double], _ logQ: [Double], _ logS: [Double]) -> ([Double], [Double]) {
        let n = f.count
        guard n > 0 else { return ([], []) }
        let invN = 1 / Double(n)
        var m = 0.0
        for i in 0..<n { m += f[i] * exp(-logS[i]) }
        m *= invN
        var u = [Double](repeating: 0, count: n), rho = u
        var dm = 0.0
        for i in 0..<n {
            u[i] = f[i] * exp(-logQ[i])
            rho[i] = exp(logQ[i] - logS[i])
            dm -= 2 * invN * (u[i] - m) * rho[i]
        }
        var gq = [Double](repeating: 0, count: n), gf = gq
        for i in 0..<n {
            gq[i] = -invN * rho[i] * (u[i] * u[i] - m * m)
            gf[i] = (2 * (u[i] - m) + dm) * invN * exp(-logS[i])
        }
        return (gq, gf)
    }
}
