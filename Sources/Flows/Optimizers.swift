// First-order optimizers on flat parameter vectors, learning-rate schedules and gradient clipping.
import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam (Kingma & Ba, arXiv:1412.6980, Algorithm 1) with bias-corrected moments.
public struct Adam<T: GEMMScalar> {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public private(set) var stepCount = 0
    private var m: [T] = []
    private var v: [T] = []

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// The moment estimates and step count (for checkpoints); empty before the first step.
    public var state: (m: [T], v: [T], stepCount: Int) { (m, v, stepCount) }

    /// Continue from a saved `state` (m and v of equal length, or both empty).
    public mutating func restore(m: [T], v: [T], stepCount: Int) {
        precondition(m.count == v.count && stepCount >= 0, "Adam.restore: inconsistent state")
        self.m = m; self.v = v; self.stepCount = m.isEmpty ? 0 : stepCount
    }

    /// Forget the moment estimates (e.g. after loading new parameters).
    public mutating func reset() { m = []; v = []; stepCount = 0 }

    public mutating func step(parameters: inout [T], gradients: [T]) {
        precondition(parameters.count == gradients.count, "Adam.step: \(parameters.count) parameters, \(gradients.count) gradients")
        if parameters.isEmpty { return }
        if m.count != parameters.count {
            m = [T](repeating: 0, count: parameters.count)
            v = [T](repeating: 0, count: parameters.count)
            stepCount = 0
        }
        stepCount += 1
        // Fold both bias corrections into the step size (Kingma & Ba §2, last paragraph).
        let corr1 = 1 - pow(beta1, Double(stepCount)), corr2 = 1 - pow(beta2, Double(stepCount))
        let alpha = learningRate * corr2.squareRoot() / corr1
        let eps = epsilon * corr2.squareRoot()
        let (b1, b2) = (beta1, beta2)
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                gradients.withUnsafeBufferPointer { g in
                    parameters.withUnsafeMutableBufferPointer { p in
                        adamUpdate(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, count: p.count,
                                   beta1: b1, beta2: b2, alpha: alpha, epsilon: eps)
                    }
                }
            }
        }
    }
}

/// Stochastic gradient descent, optionally with (heavy-ball) momentum.
public struct SGD<T: GEMMScalar> {
    public var learningRate: Double
    public let momentum: Double
    private var velocity: [T] = []

    public init(learningRate: Double, momentum: Double = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public mutating func step(parameters: inout [T], gradients: [T]) {
        precondition(parameters.count == gradients.count, "SGD.step: \(parameters.count) parameters, \(gradients.count) gradients")
        let lr = T(learningRate), mu = T(momentum)
        if momentum == 0 {
            gradients.withUnsafeBufferPointer { g in
                parameters.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] -= lr * g[i] } }
            }
            return
        }
        if velocity.count != parameters.count { velocity = [T](repeating: 0, count: parameters.count) }
        velocity.withUnsafeMutableBufferPointer { v in
            gradients.withUnsafeBufferPointer { g in
                parameters.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count {
                        v[i] = mu * v[i] + g[i]
                        p[i] -= lr * v[i]
                    }
                }
            }
        }
    }
}

/// Learning rate as a function of the step number.
public enum LearningRateSchedule: Sendable, Equatable {
    case constant
    /// Cosine annealing from `base` to `minimum` over `totalSteps` (Loshchilov & Hutter, arXiv:1608.03983, eq. 5), then flat.
    case cosine(totalSteps: Int, minimum: Double)
    /// base · decayPerStep^step.
    case exponential(decayPerStep: Double)

    public func rate(base: Double, step: Int) -> Double {
        switch self {
        case .constant:
            return base
        case let .cosine(total, minimum):
            guard total > 0 else { return minimum }
            let t = Double(min(max(step, 0), total)) / Double(total)
            return minimum + (base - minimum) * 0.5 * (1 + cos(Double.pi * t))
        case let .exponential(decay):
            return base * pow(decay, Double(max(step, 0)))
        }
    }
}

/// Scale `g` so its Euclidean norm is at most `maxNorm`; returns the norm before clipping.
@discardableResult
@_specialize(exported: true, where T == Float)
@_specialize(exported: true, where T == Double)
public func clipGradientNorm<T: GEMMScalar>(_ g: inout [T], maxNorm: Double) -> Double {
    let norm = g.withUnsafeBufferPointer { T.sumOfSquares($0) }.squareRoot()
    if norm > maxNorm && norm > 0 {
        g.withUnsafeMutableBufferPointer { T.scale($0, by: maxNorm / norm) }
    }
    return norm
}
