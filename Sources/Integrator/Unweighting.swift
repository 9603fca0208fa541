// Hit-or-miss unweighting and its figures of merit. With a maximum weight w_max, an event of weight w is kept
// with probability min(1, |w|/w_max) and then carries weight sign(w)·max(|w|, w_max): unbiased for any
// w_max, exactly unweighted where |w| ≤ w_max. The unweighting efficiency ⟨|w|⟩/w_max is the fraction of
// events kept (of all events, zeros included, so it also contains the cut efficiency).
import Numerics

public struct UnweightingSummary: Sendable, Equatable {
    public var maximumWeight: Double
    /// ⟨|w|⟩ / w_max over all events (zero weights count): the expected acceptance.
    public var efficiency: Double
    /// Fraction of events with |w| > w_max.
    public var overweightFraction: Double
    /// Share of Σ|w| carried by the overweight events.
    public var overweightShare: Double
    /// Share of Σ|w| above the maximum, Σ(|w| − w_max)₊/Σ|w|: what partial unweighting keeps as extra weight.
    public var excessShare: Double

    public init(weights: [Double], maximumWeight: Double) {
        self.maximumWeight = maximumWeight
        var sum = 0.0, over = 0, overSum = 0.0, excess = 0.0
        for w in weights {
            let a = abs(w)
            sum += a
            if a > maximumWeight { over += 1; overSum += a; excess += a - maximumWeight }
        }
        let n = Double(max(weights.count, 1))
        efficiency = maximumWeight > 0 ? sum / n / maximumWeight : 0
        overweightFraction = Double(over) / n
        overweightShare = sum > 0 ? overSum / sum : 0
        excessShare = sum > 0 ? excess / sum : 0
    }
}

public struct Unweighter: Sendable {
    public var estimator: MaximumWeightEstimator

    public init(estimator: MaximumWeightEstimator = .default) { self.estimator = estimator }

    public func summary(_ weights: [Double], rng: inout RandomStream) -> UnweightingSummary {
        UnweightingSummary(weights: weights, maximumWeight: estimator.estimate(weights, rng: &rng))
    }

    /// Hit-or-miss: indices of kept events and their new weights.
    public static func unweight(_ weights: [Double], maximumWeight: Double,
                                rng: inout RandomStream) -> (indices: [Int], weights: [Double]) {
        precondition(maximumWeight > 0, "unweighting needs a positive maximum weight")
        var kept = [Int](), newWeights = [Double]()
        for (i, w) in weights.enumerated() where w != 0 {
            let a = abs(w)
            if a >= maximumWeight || rng.uniform() * maximumWeight < a {
                kept.append(i)
                newWeights.append(w < 0 ? -max(a, maximumWeight) : max(a, maximumWeight))
            }
        }
        return (kept, newWeights)
    }
}
