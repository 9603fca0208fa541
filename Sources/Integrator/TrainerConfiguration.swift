// Settings of the neural multi-channel training loop, with defaults that work for the toy integrands.
import Flows

public struct TrainerConfiguration: Sendable, Equatable {
    /// Optimiser steps on freshly sampled points.
    public var steps = 400
    /// Points per step, summed over all channels (and ranks).
    public var batchSize = 1024
    public var learningRate = 1e-3
    public var schedule = LearningRateSchedule.constant
    public var loss = TrainingLoss.stratifiedVariance
    public var allocation = ChannelAllocation()
    /// Stratified allocation during training (otherwise uniform over active channels).
    public var stratifiedTraining = true
    /// Channel dropping (nil: never) and the steps at which it is tried.
    public var dropping: ChannelDropping? = nil
    public var droppingInterval = 100
    /// Buffered training: after each fresh step, this many steps on replayed points (0: off).
    public var bufferedStepsPerFreshStep = 0
    /// Sampling steps kept in the buffer.
    public var bufferCapacity = 8
    /// The channel-weight net is trained during steps in this range only (frozen outside it).
    public var channelWeightTrainingSteps: Range<Int> = 0..<Int.max
    /// Smoothing of the per-channel σ estimates used for allocation and dropping: new = λ·old + (1−λ)·step.
    public var statisticsSmoothing = 0.7
    public var seed: UInt64 = 1
    /// Snapshot selection: held-out points (drawn from the VEGAS grids the flows start from) on which the
    /// state is scored every `heldOutInterval` steps; training ends with the best-scoring state. 0: the last
    /// state is kept (and no grids are needed).
    public var heldOutPoints = 0
    /// Steps between held-out scores; nil: a twentieth of the steps (at least 1).
    public var heldOutInterval: Int? = nil
    public var effectiveHeldOutInterval: Int { heldOutInterval ?? max(steps / 20, 1) }
    /// Fresh steps in one flow pass (`sampleForTraining`) instead of sample + density pass.
    public var singlePassFreshSteps = true

    public init() {}

    /// Bad settings → thrown error naming the setting.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw IntegratorError.invalidSetting(message) } }
        try check(steps >= 0, "steps must be ≥ 0, got \(steps)")
        try check(batchSize >= 1, "batch size must be ≥ 1, got \(batchSize)")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be > 0, got \(learningRate)")
        try check(droppingInterval >= 1, "dropping interval must be ≥ 1")
        try check(bufferedStepsPerFreshStep >= 0, "buffered steps must be ≥ 0")
        try check(bufferCapacity >= 1, "buffer capacity must be ≥ 1")
        try check(heldOutPoints >= 0, "held-out points must be ≥ 0, got \(heldOutPoints)")
        try check(heldOutInterval.map { $0 >= 1 } ?? true, "held-out interval must be ≥ 1, got \(heldOutInterval ?? 0)")
        try check(statisticsSmoothing >= 0 && statisticsSmoothing < 1, "statistics smoothing must be in [0,1)")
    }
}
