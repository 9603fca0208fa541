// The trainer's side of snapshot selection (SnapshotSelection.swift): score the current state on the
// held-out sample, keep it when it is the best so far, put the best back at the end. All of it collective
// except `restoreSnapshot`, which each rank does for its own channels.
import Numerics
import Flows
import Cluster

extension Trainer {
    /// Score the current state; keep it as the snapshot when its held-out variance is the lowest so far.
    func scoreAndKeepBest(_ selection: SnapshotSelection) {
        if selection.sample == nil {
            selection.sample = HeldOutSample(sampler: sampler, grids: selection.grids, plan: plan, points: selection.points,
                                             seed: selection.seed, communicator: communicator)
        }
        let figures = selection.sample!.figures(densities: densities, channelWeights: channelWeights, active: active,
                                                sampler: sampler, communicator: communicator)
        let score = figures.relativeStandardDeviation
        selection.scores.append(HeldOutScore(step: stepsDone, relativeStandardDeviation: score))
        // Ties keep the earlier state; an infinite score is never kept unless nothing better exists yet.
        guard selection.best.map({ score < $0.relativeStandardDeviation }) ?? true else { return }
        selection.best = TrainingSnapshot(step: stepsDone, relativeStandardDeviation: score,
                                          flowParameters: globalFlowRows { $0.flow.parameters },
                                          channelWeightParameters: (channelWeights as? ChannelWeightNetwork)?.parameters ?? [],
                                          standardDeviations: figures.channelStandardDeviations)
    }

    /// Put `snapshot`'s flows, channel weights and σ estimates in place (this rank's channels).
    func restoreSnapshot(_ snapshot: TrainingSnapshot) {
        for ch in plan.ownedChannels {
            guard let f = densities[ch] as? FlowChannelDensity<Float>, snapshot.flowParameters[ch].count == f.flow.parameterCount else { continue }
            f.flow.parameters = snapshot.flowParameters[ch]
        }
        if let net = channelWeights as? ChannelWeightNetwork, snapshot.channelWeightParameters.count == net.parameters.count {
            net.parameters = snapshot.channelWeightParameters
        }
        if snapshot.standardDeviations.count == standardDeviations.count { standardDeviations = snapshot.standardDeviations }
    }

    /// The step whose state the trainer holds after training: the kept snapshot's, or the last step.
    public var selectedStep: Int { selection?.best?.step ?? stepsDone }

    /// One row per channel of every rank's flows (`row` of the channel's first owner; others add zeros, so
    /// the sums are exact), on every rank; empty rows for channels without a flow.
    func globalFlowRows(_ row: (FlowChannelDensity<Float>) -> [Float]) -> [[Float]] {
        let c = plan.channelCount
        let flows = densities.compactMapValues { $0 as? FlowChannelDensity<Float> }
        let width = Int(communicator.allreduce(Int64(flows.values.map { $0.flow.parameterCount }.max() ?? 0), .max))
        var values = [Double](repeating: 0, count: c * width)
        var present = [Int64](repeating: 0, count: c)
        for ch in plan.ownedChannels where plan.slot(of: ch) == 0 {
            guard let f = flows[ch] else { continue }
            let r = row(f)
            guard r.count == width else { continue }
            values.replaceSubrange((ch * width)..<((ch + 1) * width), with: r.map(Double.init))
            present[ch] = 1
        }
        communicator.allreduce(&values, .sum)
        communicator.allreduce(&present, .sum)
        return (0..<c).map { ch in present[ch] > 0 ? values[(ch * width)..<((ch + 1) * width)].map { Float($0) } : [] }
    }
}
