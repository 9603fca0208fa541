// Plain adaptive VEGAS integration on [0,1]^d (Lepage 1978): a baseline for the neural samplers and the
// source of the VEGAS pre-training of flows. Each iteration samples the current map, estimates the
// integral, feeds (f·J)² to the grid and adapts it; iterations are combined by inverse variance.
import Numerics

/// Estimate and standard error of one VEGAS iteration.
public struct VegasIteration: Sendable, Equatable {
    public var estimate: Double
    public var error: Double
}

/// Combined result of a VEGAS run.
public struct VegasResult: Sendable {
    public var estimate: Double
    public var error: Double
    /// Σ (I_i − Ī)²/σ_i² over the combined iterations, and its degrees of freedom (iterations − 1).
    public var chi2: Double
    public var dof: Int
    public var chi2PerDof: Double { dof > 0 ? chi2 / Double(dof) : 0 }
    /// Every iteration, including the warm-up ones left out of the combination.
    public var iterations: [VegasIteration]
}

public struct VegasIntegrator {
    public var grid: VegasGrid
    public var iterations: Int
    public var callsPerIteration: Int
    public var damping: Double
    /// Leading iterations used only to adapt the grid, not in the combined estimate.
    public var warmupIterations: Int
    /// Points per call of the integrand.
    public var batchSize: Int

    public init(dimension: Int, bins: Int = 64, iterations: Int = 10, callsPerIteration: Int = 10_000,
                damping: Double = VegasGrid.defaultDamping, warmupIterations: Int = 0, batchSize: Int = 4096) {
        precondition(iterations > warmupIterations && warmupIterations >= 0, "VegasIntegrator: need iterations > warmupIterations ≥ 0")
        precondition(callsPerIteration >= 2 && batchSize >= 1, "VegasIntegrator: need ≥ 2 calls per iteration")
        grid = VegasGrid(dimension: dimension, bins: bins)
        self.iterations = iterations
        self.callsPerIteration = callsPerIteration
        self.damping = damping
        self.warmupIterations = warmupIterations
        self.batchSize = batchSize
    }

    /// Integrate f (a batch function of points x in [0,1]^d, rows) over the unit hypercube, adapting the grid.
    public mutating func integrate(_ f: (MatrixD) -> [Double], rng: inout RandomStream) -> VegasResult {
        let d = grid.dimension
        var its: [VegasIteration] = []
        var u = MatrixD(rows: 0, cols: d), x = MatrixD(rows: 0, cols: d)
        var jac: [Double] = [], w2: [Double] = []
        for _ in 0..<iterations {
            var sum = 0.0, sum2 = 0.0
            var done = 0
            while done < callsPerIteration {
                let m = min(batchSize, callsPerIteration - done)
                u.resize(rows: m, cols: d)
                u.storage.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = rng.uniform() } }
                grid.map(u, into: &x, jacobian: &jac)
                let fx = f(x)
                precondition(fx.count == m, "VegasIntegrator: integrand returned \(fx.count) values for \(m) points")
                if w2.count != m { w2 = [Double](repeating: 0, count: m) }
                for i in 0..<m {
                    let w = fx[i] * jac[i]
                    sum += w
                    sum2 += w * w
                    w2[i] = w * w
                }
                grid.accumulate(u, weightsSquared: w2)
                done += m
            }
            let n = Double(callsPerIteration)
            let mean = sum / n
            let variance = max(sum2 / n - mean * mean, 0) / (n - 1)
            its.append(VegasIteration(estimate: mean, error: variance.squareRoot()))
            grid.adapt(damping: damping)
        }
        return VegasIntegrator.combine(Array(its[warmupIterations...]), all: its)
    }

    /// Inverse-variance weighted mean of independent estimates, with χ² of their agreement.
    static func combine(_ used: [VegasIteration], all: [VegasIteration]) -> VegasResult {
        // A zero error (constant integrand) would get infinite weight: floor it relative to the estimate.
        let sig2 = used.map { max($0.error * $0.error, 1e-300 + 1e-30 * $0.estimate * $0.estimate) }
        var wsum = 0.0, wmean = 0.0
        for (it, s2) in zip(used, sig2) { wsum += 1 / s2; wmean += it.estimate / s2 }
        let mean = wmean / wsum
        var chi2 = 0.0
        for (it, s2) in zip(used, sig2) { chi2 += (it.estimate - mean) * (it.estimate - mean) / s2 }
        return VegasResult(estimate: mean, error: (1 / wsum).squareRoot(), chi2: chi2, dof: used.count - 1, iterations: all)
    }
}
