// Everything a trained (or partly trained) neural multi-channel sampler is, as one value: what `nisgen train`
// writes as the model file and what `train --resume` and `generate` read, on any number of ranks.
// The global model is assembled from the ranks' parts (`Trainer.model`), each channel from its first owner.
import Numerics
import Flows

public struct SamplerModel: Sendable, Equatable {
    public static let formatVersion = 1

    // Provenance: the run card that made it and the physics it samples.
    public var cardText = ""
    public var cardHash = ""
    public var process = ""
    public var subprocesses: [String] = []
    public var channelNames: [String] = []

    // Shapes and options needed to rebuild the densities.
    public var dimension: Int
    public var channelCount: Int
    public var flow: FlowConfig
    public var vegasBins: Int
    public var uniformFraction = 0.0
    public var defensiveMixtureUsesVegasGrid = false
    /// The flows act in their channels' VEGAS grid coordinates (`NeuralSamplerOptions.flowsInGridCoordinates`);
    /// the file attribute `flow_coordinates`.
    public var flowsInGridCoordinates = false
    public var channelWeightHidden: [Int] = []
    public var featureCount = 0

    // Per channel.
    public var flowParameters: [[Float]]
    public var flowAdamM: [[Float]]
    public var flowAdamV: [[Float]]
    public var flowAdamSteps: [Int]
    public var vegasGrids: [VegasGrid]
    public var active: [Bool]
    public var standardDeviations: [Double]
    public var channelMeans: [Double]
    /// Cost estimate per channel (seconds of work per step) that balanced the plan.
    public var channelCosts: [Double]

    // The channel-weight network (empty: fixed prior weights).
    public var channelWeightParameters: [Float] = []
    public var channelWeightAdamM: [Float] = []
    public var channelWeightAdamV: [Float] = []
    public var channelWeightAdamSteps = 0
    /// Density-aware channel weights: α ∝ a·g with every channel's density g at the point (false: the
    /// integrand's prior). Stored as the file attribute `channel_weight_inputs`.
    public var channelWeightsUseChannelDensities = false

    // Where training stands.
    public var seed: UInt64
    public var stepsDone = 0
    public var totalSteps = 0
    public var integrandCalls: Int64 = 0
    public var pretrainingCalls: Int64 = 0
    public var trainingSeconds = 0.0
    /// owners[c] of the plan used, and the rank count it was made for.
    public var owners: [[Int]]
    public var rankCount: Int
    /// Stream positions: streamPositions[c][slot] for the plan's owners of channel c.
    public var streamPositions: [[UInt64]]
    /// The stream ids those positions belong to (streams are re-keyed when channels are re-dealt).
    public var streamIDs: [[UInt64]]
    public var history: [TrainingProgress] = []
    /// Held-out scores of the states of training (SnapshotSelection), and the best state so far; once training
    /// is complete the flows above are that state's.
    public var heldOutScores: [HeldOutScore] = []
    public var snapshot: TrainingSnapshot?
    /// True once every training step is done and the measurement below is filled in.
    public var complete = false

    // The measurement after training (fresh points).
    public var crossSection = 0.0
    public var error = 0.0
    public var efficiency = 0.0
    public var channelIntegrals: [Double] = []
    public var channelErrors: [Double] = []
    /// Per-channel maximum weights (pb) from the measurement, with the policy named in `maximumWeightPolicy`.
    public var maximumWeights: [Double] = []
    public var maximumWeightPolicy = ""
    /// The VEGAS warm-up measured the same way (0 when it was not measured).
    public var vegasCrossSection = 0.0
    public var vegasError = 0.0
    public var vegasEfficiency = 0.0
    /// Subsamples of measurement weights (for weight-distribution plots).
    public var surveyWeightsNIS: [Double] = []
    public var surveyWeightsVegas: [Double] = []

    public init(dimension: Int, channelCount: Int, flow: FlowConfig, vegasBins: Int, seed: UInt64, rankCount: Int) {
        self.dimension = dimension
        self.channelCount = channelCount
        self.flow = flow
        self.vegasBins = vegasBins
        self.seed = seed
        self.rankCount = rankCount
        flowParameters = Array(repeating: [], count: channelCount)
        flowAdamM = flowParameters
        flowAdamV = flowParameters
        flowAdamSteps = Array(repeating: 0, count: channelCount)
        vegasGrids = Array(repeating: VegasGrid(dimension: dimension, bins: vegasBins), count: channelCount)
        active = Array(repeating: true, count: channelCount)
        standardDeviations = Array(repeating: 0, count: channelCount)
        channelMeans = standardDeviations
        channelCosts = Array(repeating: 1, count: channelCount)
        owners = Array(repeating: [0], count: channelCount)
        streamPositions = Array(repeating: [0], count: channelCount)
        streamIDs = streamPositions
        channelIntegrals = Array(repeating: 0, count: channelCount)
        channelErrors = channelIntegrals
        maximumWeights = channelIntegrals
    }

    /// The plan stored with the model, seen from `rank`.
    public func plan(rank: Int) -> ChannelPlan { ChannelPlan(rank: rank, rankCount: rankCount, owners: owners) }

    /// A short stable fingerprint of the trained state (FNV-1a over parameters and grids), for provenance.
    public var fingerprint: String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ x: UInt64) { for k in 0..<8 { h ^= (x >> (8 * UInt64(k))) & 0xFF; h = h &* 0x0000_0100_0000_01B3 } }
        for p in flowParameters { for x in p { mix(UInt64(x.bitPattern)) } }
        for g in vegasGrids { for e in g.edges { for x in e { mix(x.bitPattern) } } }
        for x in channelWeightParameters { mix(UInt64(x.bitPattern)) }
        for a in active { mix(a ? 1 : 0) }
        if channelWeightsUseChannelDensities { mix(0xD_E45) }
        if flowsInGridCoordinates { mix(0x6_1D) }
        mix(UInt64(stepsDone))
        return String(h, radix: 16, uppercase: false).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}

/// FNV-1a of a text (e.g. a run card), as 16 hex digits.
public func textFingerprint(_ text: String) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in text.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01B3 }
    return String(h, radix: 16).leftPadded(to: 16)
}
