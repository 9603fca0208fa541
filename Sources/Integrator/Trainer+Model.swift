// Moving a trainer's state into a `SamplerModel` and back. Assembling is collective: every channel's part
// comes from its first owner through allreduces of masked buffers (others add zeros, so sums are exact), and
// every rank ends with the whole model. Restoring is local: each rank takes its own channels.
import Numerics
import Flows
import Cluster

extension Trainer {
    /// The global model. `base` carries what the trainer does not hold (provenance, grids, costs, measurement).
    public func model(base: SamplerModel) -> SamplerModel {
        var m = base
        let c = plan.channelCount
        var steps = [Int64](repeating: 0, count: c)
        let r = plan.rankCount
        var positions = [Int64](repeating: 0, count: c * r), ids = positions
        for ch in plan.ownedChannels {
            guard let slot = plan.slot(of: ch) else { continue }
            positions[ch * r + slot] = Int64(bitPattern: rngs[ch].position)
            ids[ch * r + slot] = Int64(bitPattern: rngs[ch].stream)
            if slot == 0, let f = densities[ch] as? FlowChannelDensity<Float> { steps[ch] = Int64(f.optimizerState.stepCount) }
        }
        let params = globalFlowRows { $0.flow.parameters }
        let moments1 = globalFlowRows { $0.optimizerState.m }, moments2 = globalFlowRows { $0.optimizerState.v }
        communicator.allreduce(&steps, .sum)
        communicator.allreduce(&positions, .sum)
        communicator.allreduce(&ids, .sum)
        let p = params.map(\.count).max() ?? 0
        for ch in 0..<c {
            m.flowParameters[ch] = params[ch].isEmpty ? [Float](repeating: 0, count: p) : params[ch]
            m.flowAdamSteps[ch] = Int(steps[ch])
            m.flowAdamM[ch] = steps[ch] > 0 ? moments1[ch] : []
            m.flowAdamV[ch] = steps[ch] > 0 ? moments2[ch] : []
            m.streamPositions[ch] = plan.owners[ch].indices.map { UInt64(bitPattern: positions[ch * r + $0]) }
            m.streamIDs[ch] = plan.owners[ch].indices.map { UInt64(bitPattern: ids[ch * r + $0]) }
        }
        m.heldOutScores = selection?.scores ?? []
        m.snapshot = selection?.best
        m.channelWeightsUseChannelDensities = channelWeights.usesChannelDensities
        if let net = channelWeights as? ChannelWeightNetwork {
            m.channelWeightParameters = net.parameters
            let s = net.optimizerState
            m.channelWeightAdamM = s.m; m.channelWeightAdamV = s.v; m.channelWeightAdamSteps = s.stepCount
        }
        m.active = active
        m.standardDeviations = standardDeviations
        m.channelMeans = channelMeans
        m.owners = plan.owners
        m.rankCount = plan.rankCount
        m.stepsDone = stepsDone
        m.totalSteps = configuration.steps
        m.integrandCalls = integrandCalls
        m.pretrainingCalls = pretrainingCalls
        m.trainingSeconds = trainingSeconds
        m.history = history
        m.seed = configuration.seed
        return m
    }

    /// Continue from `model`: parameters and optimiser state of this rank's flows and of the channel-weight
    /// net, statistics, counters and history; the random streams too when the model was made with this plan
    /// (then the continued run equals an uninterrupted one), otherwise they start afresh.
    public func restore(from model: SamplerModel) throws {
        guard model.channelCount == plan.channelCount else {
            throw IntegratorError.modelMismatch("model has \(model.channelCount) channels, the run \(plan.channelCount)")
        }
        guard model.channelWeightsUseChannelDensities == channelWeights.usesChannelDensities else {
            throw IntegratorError.modelMismatch("the model's channel weights are \(model.channelWeightsUseChannelDensities ? "density-aware" : "prior-based"), the run's \(channelWeights.usesChannelDensities ? "density-aware" : "prior-based")")
        }
        for ch in plan.ownedChannels {
            guard let f = densities[ch] as? FlowChannelDensity<Float> else { continue }
            guard model.flowParameters[ch].count == f.flow.parameterCount else {
                throw IntegratorError.modelMismatch("channel \(ch): the model's flow has \(model.flowParameters[ch].count) parameters, the run's \(f.flow.parameterCount) (different flow settings?)")
            }
            f.flow.parameters = model.flowParameters[ch]
            f.restoreOptimizer(m: model.flowAdamM[ch], v: model.flowAdamV[ch], stepCount: model.flowAdamSteps[ch])
            if model.owners == plan.owners, let slot = plan.slot(of: ch), slot < model.streamPositions[ch].count,
               slot < model.streamIDs[ch].count {
                rngs[ch] = RandomStream(seed: rngs[ch].seed, stream: model.streamIDs[ch][slot], position: model.streamPositions[ch][slot])
            }
        }
        if let net = channelWeights as? ChannelWeightNetwork, !model.channelWeightParameters.isEmpty {
            guard net.parameters.count == model.channelWeightParameters.count else {
                throw IntegratorError.modelMismatch("channel-weight net has \(net.parameters.count) parameters, the model's \(model.channelWeightParameters.count)")
            }
            net.parameters = model.channelWeightParameters
            net.restoreOptimizer(m: model.channelWeightAdamM, v: model.channelWeightAdamV, stepCount: model.channelWeightAdamSteps)
        }
        active = model.active
        standardDeviations = model.standardDeviations
        channelMeans = model.channelMeans
        stepsDone = model.stepsDone
        integrandCalls = model.integrandCalls
        pretrainingCalls = model.pretrainingCalls
        trainingSeconds = model.trainingSeconds
        history = model.history
        if let selection {
            selection.scores = model.heldOutScores
            selection.best = model.snapshot
        }
    }
}
