// Density-aware channel weights: α_j(x) = a_j(x)·g_j(x) / Σ_k a_k(x)·g_k(x), with g_j(x) = q_j(y_j(x))·|∂y_j/∂x|
// the density with which channel j's sampler (flow or grid in front of its mapping) produces the point x, and
// a_j > 0 either 1 (the balance heuristic of the current samplers) or learned (the channel-weight net's
// bounded output, log a_j = L·tanh(NN_j/L)). Wherever a channel's sampler stops producing points, g_j → 0 and
// so does α_j: the weights cannot hand mass to a channel that does not sample it, which is how the plain net
// (α ∝ a·α⁰ with a fixed prior α⁰) biased the integral when trained jointly with narrow flows. With bounded a
// every weight is at most e^{2L}× the balance-heuristic weight f(x)/Σ_k g_k(x).
//
// Mechanics: the channel weights keep their interface; their "prior" input becomes g_j/Σ_k g_k over the active
// channels, computed here from every channel's coordinates of every point (the integrand inverts its
// mappings, `ChannelCoordinateMapping`) and every channel's density there (`ChannelDensity.logDensity`, which
// leaves training state alone). g is treated as a constant in the loss's gradients (only a is trained).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Numerics

extension ChannelBatchSampler {
    /// α for every batch: from every channel's density at the points when the model asks for it
    /// (`usesChannelDensities`), otherwise from the integrand's prior. `sampledByCurrentDensities`: each
    /// batch's `logQSample` is its channel's current density (fresh points), so that channel's pass is skipped.
    public func assignChannelWeights(_ batches: inout [ChannelBatch], model: any ChannelWeights, active: [Bool],
                                     densities: [Int: any ChannelDensity], sampledByCurrentDensities: Bool = true) {
        if model.usesChannelDensities {
            assignChannelDensityPriors(&batches, densities: densities, active: active, sampledByCurrentDensities: sampledByCurrentDensities)
        }
        Self.assignChannelWeights(&batches, model: model, active: active)
    }

    /// Replace each batch's prior weights by g_j(x)/Σ_k g_k(x) over the active channels (n × C). Needs an
    /// integrand with invertible channels and the density of every active channel.
    public func assignChannelDensityPriors(_ batches: inout [ChannelBatch], densities: [Int: any ChannelDensity], active: [Bool],
                                           sampledByCurrentDensities: Bool = true) {
        guard let mapping = integrand as? any ChannelCoordinateMapping else {
            preconditionFailure("density-aware channel weights need an integrand with invertible channels (ChannelCoordinateMapping)")
        }
        let c = integrand.channelCount, d = integrand.dimension
        precondition(active.count == c, "assignChannelDensityPriors: \(active.count) flags for \(c) channels")
        let coordinates = batches.map { mapping.coordinatesInEveryChannel(channel: $0.channel, points: $0.points) }
        let total = batches.reduce(0) { $0 + $1.count }
        // log g (total × C), one density pass per channel over the stacked points of all batches.
        var logG = MatrixD(rows: total, cols: c, repeating: -.infinity)
        for j in 0..<c where active[j] {
            guard let density = densities[j] else {
                preconditionFailure("density-aware channel weights: no density of active channel \(j) on this rank")
            }
            // Channel j's own points already carry log q_j when they were just drawn from it.
            let evaluated = batches.indices.filter { !(sampledByCurrentDensities && batches[$0].channel == j) }
            let rows = evaluated.reduce(0) { $0 + batches[$1].count }
            var stacked = MatrixD(rows: rows, cols: d)
            var row = 0
            for k in evaluated {
                let n = batches[k].count
                stacked.storage.replaceSubrange((row * d)..<((row + n) * d), with: coordinates[k][j].points.storage)
                row += n
            }
            let logQEvaluated = rows > 0 ? density.logDensity(stacked) : []
            row = 0
            var offset = 0
            for k in batches.indices {
                let own = !evaluated.contains(k)
                for i in 0..<batches[k].count {
                    let g = coordinates[k][j].mappingDensity[i]
                    let logQ = own ? batches[k].logQSample[i] : logQEvaluated[offset + i]
                    let l = logQ + (g > 0 && g.isFinite ? log(g) : -.infinity)
                    logG.storage[(row + i) * c + j] = l.isNaN ? -.infinity : l
                }
                if !own { offset += batches[k].count }
                row += batches[k].count
            }
        }
        var row = 0
        for k in batches.indices {
            let n = batches[k].count
            var prior = MatrixD(rows: n, cols: c)
            for i in 0..<n {
                let base = (row + i) * c
                var top = -Double.infinity
                for j in 0..<c { top = max(top, logG.storage[base + j]) }
                // No channel reaches the point (its value is 0 then): give it to the channel that drew it.
                guard top > -.infinity, top < .infinity else { prior.storage[i * c + batches[k].channel] = 1; continue }
                var sum = 0.0
                for j in 0..<c { let e = exp(logG.storage[base + j] - top); prior.storage[i * c + j] = e; sum += e }
                for j in 0..<c { prior.storage[i * c + j] /= sum }
            }
            batches[k].priorWeights = prior
            row += n
        }
    }
}
