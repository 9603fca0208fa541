// Elementwise nonlinearities of the coupling networks, with their derivatives for the hand-written backward pass.
import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hidden-layer nonlinearity of an `MLP`.
public enum Activation: Sendable, Equatable {
    case relu
    case leakyReLU(slope: Double)
    /// Gaussian error linear unit, tanh approximation (Hendrycks & Gimpel, arXiv:1606.08415, eq. in §2).
    case gelu
    /// x·σ(x) (a.k.a. swish).
    case silu

    /// Gain used by the weight initialisation (He et al. arXiv:1502.01852: Var(w) = gain² / fan_in).
    var initGain: Double {
        switch self {
        case .relu, .gelu, .silu: return 2.0.squareRoot()
        case .leakyReLU(let a): return (2 / (1 + a * a)).squareRoot()
        }
    }
}

private let geluC = (2 / Double.pi).squareRoot()
private let geluA = 0.044715

/// a[i] = act(z[i]) for i < count.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func applyActivation<T: GEMMScalar>(_ act: Activation, z: UnsafePointer<T>, a: UnsafeMutablePointer<T>, count: Int) {
    switch act {
    case .relu:
        for i in 0..<count { let v = z[i]; a[i] = v > 0 ? v : 0 }
    case .leakyReLU(let slope):
        let s = T(slope)
        for i in 0..<count { let v = z[i]; a[i] = v > 0 ? v : s * v }
    case .gelu:
        for i in 0..<count {
            let v = Double(z[i])
            // 0.5·(1 + tanh(y)) = 1/(1 + e^{−2y}).
            a[i] = T(v / (1 + fastExp(-2 * geluC * (v + geluA * v * v * v))))
        }
    case .silu:
        for i in 0..<count {
            let v = Double(z[i])
            a[i] = T(v / (1 + fastExp(-v)))
        }
    }
}

/// g[i] *= act'(z[i]) for i < count (turns dL/da into dL/dz in place).
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func multiplyActivationDerivative<T: GEMMScalar>(_ act: Activation, z: UnsafePointer<T>, g: UnsafeMutablePointer<T>, count: Int) {
    switch act {
    case .relu:
        for i in 0..<count where !(z[i] > 0) { g[i] = 0 }
    case .leakyReLU(let slope):
        let s = T(slope)
        for i in 0..<count where !(z[i] > 0) { g[i] *= s }
    case .gelu:
        for i in 0..<count {
            let v = Double(z[i])
            let th = 2 / (1 + fastExp(-2 * geluC * (v + geluA * v * v * v))) - 1
            let d = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * geluC * (1 + 3 * geluA * v * v)
            g[i] *= T(d)
        }
    case .silu:
        for i in 0..<count {
            let v = Double(z[i])
            let sg = 1 / (1 + fastExp(-v))
            g[i] *= T(sg * (1 + v * (1 - sg)))
        }
    }
}
