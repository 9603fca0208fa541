// Which state of training the model keeps. Every `interval` fresh steps (and before the first) the sampler is
// scored on a fixed held-out sample (HeldOutSample); the state with the lowest held-out variance is kept as a
// snapshot and put back when training ends. A step that opens a weight tail is then not shipped: the worst a
// run can do is the state it started from, the VEGAS grids (issue #11). The trainer side is in
// Trainer+Selection.swift; the snapshot travels in the model file so `--resume` keeps it.
import Numerics
import Flows

/// One held-out score of the training history.
public struct HeldOutScore: Sendable, Equatable {
    public var step: Int
    public var relativeStandardDeviation: Double
}

/// A whole sampler state (every channel's flow, on every rank) and its held-out score.
public struct TrainingSnapshot: Sendable, Equatable {
    public var step: Int
    public var relativeStandardDeviation: Double
    /// Per channel (empty for a channel without a flow).
    public var flowParameters: [[Float]]
    /// Empty with fixed channel weights.
    public var channelWeightParameters: [Float]
    /// The held-out σ_c: how the measurement allocates points over the channels after the snapshot is restored.
    public var standardDeviations: [Double]
}

public final class SnapshotSelection {
    /// Score every this many fresh steps (and at the last step).
    public let interval: Int
    let points: Int
    let grids: [VegasGrid]
    let seed: UInt64
    /// Drawn at the first score (collective), again after a resume.
    var sample: HeldOutSample?
    public internal(set) var best: TrainingSnapshot?
    public internal(set) var scores: [HeldOutScore] = []

    /// `points` held-out points in all, drawn from `grids` (one per channel) with a stream of `seed`.
    public init(points: Int, interval: Int, grids: [VegasGrid], seed: UInt64) {
        precondition(points > 0 && interval > 0, "snapshot selection needs points > 0 and interval > 0")
        self.points = points
        self.interval = interval
        self.grids = grids
        self.seed = seed
    }

    /// Integrand calls of the held-out sample so far drawn (0 before the first score).
    public var heldOutCalls: Int64 { sample?.integrandCalls ?? 0 }

    /// True when the state after `step` of `steps` is to be scored.
    func isDue(step: Int, of steps: Int) -> Bool {
        best == nil || step % interval == 0 || step == steps
    }

    /// The set of active channels changed: scores of the old set do not compare with the new one.
    func forgetBest() { best = nil }
}
