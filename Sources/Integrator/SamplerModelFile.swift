// The model file: a `SamplerModel` as plain HDF5 (`h5ls -r MODEL.h5` lists it), written by rank 0 as
// `MODEL.h5.partial` and renamed when complete, so an interrupted write never leaves a file that looks whole.
// Layout (all datasets 2-D; string attributes on the file):
//   attributes  format ["nisgen-model", "1"], card, card_hash, process, subprocesses, channel_names,
//               maximum_weight_policy, channel_weight_inputs, flow_coordinates ("unit-cube" or "vegas-grid")
//   counters    int64 1×K named by its `properties` attribute (dimension, channels, flow shape, steps, …)
//   scalars     float64 1×K (σ, δσ, efficiency of NIS and VEGAS, training seconds, defensive fraction)
//   channels    C×7: active, std_dev, mean, cost, integral, error, max_weight
//   flow_parameters, flow_adam_m, flow_adam_v   C×P (float32 values stored as float64), flow_adam_steps C×1
//   vegas_edges C×(d·(bins+1)); plan_owners, stream_positions, stream_ids C×R (int64, −1 = none)
//   channel_weight_parameters / _adam_m / _adam_v  1×Q (absent with fixed prior weights), channel_weight_hidden
//   training_history N×7 (step, loss, cross_section, error, rel_std, efficiency, learning_rate) and
//   training_counts N×2 (active_channels, integrand_calls); channel_integrals C×1;
//   survey_weights_nis, survey_weights_vegas N×1; held_out_scores N×2 (step, rel_std: the held-out scores of
//   snapshot selection) and, with a kept snapshot, snapshot_scalars 1×2 (step, rel_std),
//   snapshot_flow_parameters C×P, snapshot_standard_deviations C×1, snapshot_channel_weight_parameters 1×Q.
import Numerics
import Flows
import Cluster
import EventIO

public enum SamplerModelFile {
    static let counterNames = ["format_version", "dimension", "channels", "flow_bins", "flow_blocks", "flow_layers",
                               "flow_units", "vegas_bins", "feature_count", "defensive_grid", "rank_count", "seed",
                               "steps_done", "total_steps", "integrand_calls", "pretraining_calls", "complete",
                               "channel_weight_adam_steps"]
    static let scalarNames = ["defensive_fraction", "training_seconds", "cross_section", "error", "efficiency",
                              "vegas_cross_section", "vegas_error", "vegas_efficiency"]
    static let channelColumns = ["active", "std_dev", "mean", "cost", "integral", "error", "max_weight"]
    /// Values of the `channel_weight_inputs` attribute.
    static let integrandPriorInputs = "integrand-prior", channelDensityInputs = "channel-densities"
    /// Values of the `flow_coordinates` attribute.
    static let unitCubeCoordinates = "unit-cube", gridCoordinates = "vegas-grid"
    static let historyColumns = ["step", "loss", "cross_section", "error", "rel_std", "efficiency", "learning_rate"]

    /// Write `model` to `path` (serial; call on one rank). Throws with the path on failure, leaving no file.
    public static func write(_ model: SamplerModel, to path: String) throws {
        let comm = SerialCommunicator()
        let file: ParallelH5File
        do { file = try ParallelH5File(creating: path, comm: comm, inMemory: true) } catch {
            throw IntegratorError.modelFile(path: path, problem: "cannot create it (\(error))")
        }
        do {
            try fill(file, model)
            try file.close()
        } catch H5Error.writeFailed(_, let call, let reason) {
            file.abandon()
            throw IntegratorError.modelFile(path: path, problem: "cannot write it: \(reason) (\(call) failed)")
        } catch {
            file.abandon()
            throw IntegratorError.modelFile(path: path, problem: "write failed (\(error))")
        }
    }

    /// Rows per chunk: the table's own rows (written once; a larger chunk would be stored whole, mostly empty:
    /// 4096-row chunks made a tiny model 35 MB), at most 4096 and 2²⁰ values.
    static func chunkRows(_ values: Int, _ columns: Int) -> Int {
        max(1, min(values / max(columns, 1), 4096, 1 << 20 / max(columns, 1)))
    }

    private static func fill(_ file: ParallelH5File, _ m: SamplerModel) throws {
        func table(_ name: String, _ columns: Int, _ values: [Double], names: [String]? = nil) throws {
            guard columns > 0 else { return }
            try file.createDataset(name, columns: columns, chunkRows: chunkRows(values.count, columns))
            try file.append(name, rows: values)
            if let names { try file.setStringAttribute("properties", on: name, values: names) }
        }
        func ints(_ name: String, _ columns: Int, _ values: [Int64], names: [String]? = nil) throws {
            guard columns > 0 else { return }
            try file.createDataset(name, columns: columns, type: .int64, chunkRows: chunkRows(values.count, columns))
            try file.append(name, rows: values)
            if let names { try file.setStringAttribute("properties", on: name, values: names) }
        }
        try file.setStringAttribute("format", on: nil, values: ["nisgen-model", "\(SamplerModel.formatVersion)"])
        try file.setStringAttribute("card", on: nil, values: [m.cardText])
        try file.setStringAttribute("card_hash", on: nil, values: [m.cardHash])
        try file.setStringAttribute("process", on: nil, values: [m.process])
        try file.setStringAttribute("subprocesses", on: nil, values: m.subprocesses.isEmpty ? [""] : m.subprocesses)
        try file.setStringAttribute("channel_names", on: nil, values: m.channelNames.isEmpty ? [""] : m.channelNames)
        try file.setStringAttribute("maximum_weight_policy", on: nil, values: [m.maximumWeightPolicy])
        try file.setStringAttribute("channel_weight_inputs", on: nil,
                                    values: [m.channelWeightsUseChannelDensities ? channelDensityInputs : integrandPriorInputs])
        try file.setStringAttribute("flow_coordinates", on: nil, values: [m.flowsInGridCoordinates ? gridCoordinates : unitCubeCoordinates])
        let c = m.channelCount
        let counters: [Int64] = [Int64(SamplerModel.formatVersion), Int64(m.dimension), Int64(c), Int64(m.flow.bins),
                                 Int64(m.flow.couplingBlocks ?? -1), Int64(m.flow.hiddenLayers), Int64(m.flow.hiddenUnits),
                                 Int64(m.vegasBins), Int64(m.featureCount), m.defensiveMixtureUsesVegasGrid ? 1 : 0,
                                 Int64(m.rankCount), Int64(bitPattern: m.seed), Int64(m.stepsDone), Int64(m.totalSteps),
                                 m.integrandCalls, m.pretrainingCalls, m.complete ? 1 : 0, Int64(m.channelWeightAdamSteps)]
        try ints("counters", counters.count, counters, names: counterNames)
        try table("scalars", scalarNames.count, [m.uniformFraction, m.trainingSeconds, m.crossSection, m.error, m.efficiency,
                                                  m.vegasCrossSection, m.vegasError, m.vegasEfficiency], names: scalarNames)
        func column(_ v: [Double], _ k: Int) -> Double { k < v.count ? v[k] : 0 }
        var channels = [Double]()
        for k in 0..<c {
            channels += [m.active[k] ? 1 : 0, m.standardDeviations[k], m.channelMeans[k], m.channelCosts[k],
                         column(m.channelIntegrals, k), column(m.channelErrors, k), column(m.maximumWeights, k)]
        }
        try table("channels", channelColumns.count, channels, names: channelColumns)
        try table("channel_integrals", 1, (0..<c).map { column(m.channelIntegrals, $0) }, names: ["integral"])
        let p = m.flowParameters.map(\.count).max() ?? 0
        func padded(_ rows: [[Float]]) -> [Double] {
            rows.flatMap { r in r.map(Double.init) + [Double](repeating: 0, count: p - r.count) }
        }
        try table("flow_parameters", p, padded(m.flowParameters))
        if m.flowAdamSteps.contains(where: { $0 > 0 }) {
            try table("flow_adam_m", p, padded(m.flowAdamM))
            try table("flow_adam_v", p, padded(m.flowAdamV))
        }
        try ints("flow_adam_steps", 1, m.flowAdamSteps.map(Int64.init), names: ["steps"])
        let e = m.dimension * (m.vegasBins + 1)
        try table("vegas_edges", e, m.vegasGrids.flatMap { $0.edges.flatMap { $0 } })
        let r = m.rankCount
        try ints("plan_owners", r, m.owners.flatMap { o in (0..<r).map { $0 < o.count ? Int64(o[$0]) : -1 } })
        try ints("stream_positions", r, m.streamPositions.flatMap { s in (0..<r).map { $0 < s.count ? Int64(bitPattern: s[$0]) : -1 } })
        try ints("stream_ids", r, m.streamIDs.flatMap { s in (0..<r).map { $0 < s.count ? Int64(bitPattern: s[$0]) : 0 } })
        if !m.channelWeightParameters.isEmpty {
            let q = m.channelWeightParameters.count
            try table("channel_weight_parameters", q, m.channelWeightParameters.map(Double.init))
            if m.channelWeightAdamM.count == q {
                try table("channel_weight_adam_m", q, m.channelWeightAdamM.map(Double.init))
                try table("channel_weight_adam_v", q, m.channelWeightAdamV.map(Double.init))
            }
            try ints("channel_weight_hidden", m.channelWeightHidden.count, m.channelWeightHidden.map(Int64.init))
        }
        try table("training_history", historyColumns.count, m.history.flatMap {
            [Double($0.step), $0.loss, $0.integral, $0.error, $0.relativeStandardDeviation, $0.efficiency, $0.learningRate]
        }, names: historyColumns)
        try ints("training_counts", 2, m.history.flatMap { [Int64($0.activeChannels), $0.integrandCalls] },
                 names: ["active_channels", "integrand_calls"])
        try table("survey_weights_nis", 1, m.surveyWeightsNIS, names: ["weight"])
        try table("survey_weights_vegas", 1, m.surveyWeightsVegas, names: ["weight"])
        try table("held_out_scores", 2, m.heldOutScores.flatMap { [Double($0.step), $0.relativeStandardDeviation] },
                  names: ["step", "rel_std"])
        if let snap = m.snapshot {
            try table("snapshot_scalars", 2, [Double(snap.step), snap.relativeStandardDeviation], names: ["step", "rel_std"])
            try table("snapshot_flow_parameters", p, padded(snap.flowParameters))
            try table("snapshot_standard_deviations", 1, snap.standardDeviations, names: ["std_dev"])
            try table("snapshot_channel_weight_parameters", snap.channelWeightParameters.count, snap.channelWeightParameters.map(Double.init))
        }
    }

    /// Read and check a model file; every problem is an error naming the file and what is wrong.
    public static func read(from path: String) throws -> SamplerModel {
        func fail(_ problem: String) -> IntegratorError { .modelFile(path: path, problem: problem) }
        let h5: H5Reader
        do { h5 = try H5Reader(path: path) } catch {
            let partial = (try? H5Reader(path: path + ".partial")) != nil
            throw fail(partial ? "only an incomplete '\(path).partial' exists (the writing run stopped)" : "cannot open it as HDF5 (missing or not an HDF5 file)")
        }
        guard let format = try? h5.stringAttribute("format", on: nil), format.first == "nisgen-model" else {
            throw fail("not a nisgen model file (no 'format' attribute)")
        }
        guard format.count == 2, Int(format[1]) == SamplerModel.formatVersion else {
            throw fail("model format \(format.dropFirst().first ?? "?") is not the supported version \(SamplerModel.formatVersion)")
        }
        func matrix(_ name: String, rows: Int? = nil, cols: Int? = nil) throws -> MatrixD {
            guard h5.hasDataset(name) else { throw fail("dataset '\(name)' is missing") }
            let mat: MatrixD
            do { mat = try h5.readDoubles(name) } catch { throw fail("dataset '\(name)' cannot be read (\(error))") }
            if let rows, mat.rows != rows { throw fail("dataset '\(name)' has \(mat.rows) rows, expected \(rows)") }
            if let cols, mat.cols != cols { throw fail("dataset '\(name)' has \(mat.cols) columns, expected \(cols)") }
            guard mat.storage.allSatisfy({ !$0.isNaN }) else { throw fail("dataset '\(name)' holds NaN") }
            return mat
        }
        func ints(_ name: String, count: Int? = nil) throws -> [Int64] {
            guard h5.hasDataset(name) else { throw fail("dataset '\(name)' is missing") }
            let v: [Int64]
            do { v = try h5.readInt64(name) } catch { throw fail("dataset '\(name)' cannot be read (\(error))") }
            if let count, v.count != count { throw fail("dataset '\(name)' has \(v.count) values, expected \(count)") }
            return v
        }
        func text(_ name: String) -> [String] { (try? h5.stringAttribute(name, on: nil)) ?? [] }
        let k = try ints("counters", count: counterNames.count)
        let dimension = Int(k[1]), c = Int(k[2]), vegasBins = Int(k[7]), rankCount = Int(k[10])
        guard dimension >= 1, dimension <= 1000, c >= 1, c <= 100_000, vegasBins >= 1, vegasBins <= 100_000,
              rankCount >= 1, rankCount <= 1 << 24 else {
            throw fail("implausible shape (dimension \(dimension), channels \(c), VEGAS bins \(vegasBins), ranks \(rankCount))")
        }
        let flow = FlowConfig(bins: Int(k[3]), couplingBlocks: k[4] < 0 ? nil : Int(k[4]), hiddenLayers: Int(k[5]), hiddenUnits: Int(k[6]))
        do { try flow.validate(dimension: dimension) } catch { throw fail("flow settings: \(error)") }
        var m = SamplerModel(dimension: dimension, channelCount: c, flow: flow, vegasBins: vegasBins,
                             seed: UInt64(bitPattern: k[11]), rankCount: rankCount)
        m.featureCount = Int(k[8]); m.defensiveMixtureUsesVegasGrid = k[9] != 0
        m.stepsDone = Int(k[12]); m.totalSteps = Int(k[13]); m.integrandCalls = k[14]; m.pretrainingCalls = k[15]
        m.complete = k[16] != 0; m.channelWeightAdamSteps = Int(k[17])
        let s = try matrix("scalars", rows: 1, cols: scalarNames.count).storage
        m.uniformFraction = s[0]; m.trainingSeconds = s[1]; m.crossSection = s[2]; m.error = s[3]; m.efficiency = s[4]
        m.vegasCrossSection = s[5]; m.vegasError = s[6]; m.vegasEfficiency = s[7]
        guard m.uniformFraction >= 0 && m.uniformFraction < 1 else { throw fail("defensive fraction \(m.uniformFraction) outside [0, 1)") }
        m.cardText = text("card").first ?? ""
        m.cardHash = text("card_hash").first ?? ""
        m.process = text("process").first ?? ""
        m.subprocesses = text("subprocesses").filter { !$0.isEmpty }
        m.channelNames = text("channel_names").filter { !$0.isEmpty }
        m.maximumWeightPolicy = text("maximum_weight_policy").first ?? ""
        // Files written before density-aware weights existed have no attribute: the integrand's prior.
        switch text("channel_weight_inputs").first ?? integrandPriorInputs {
        case integrandPriorInputs: m.channelWeightsUseChannelDensities = false
        case channelDensityInputs: m.channelWeightsUseChannelDensities = true
        case let other: throw fail("unknown channel-weight inputs '\(other)' (expected '\(integrandPriorInputs)' or '\(channelDensityInputs)')")
        }
        // Files written before grid-coordinate flows existed have no attribute: the unit cube.
        switch text("flow_coordinates").first ?? unitCubeCoordinates {
        case unitCubeCoordinates: m.flowsInGridCoordinates = false
        case gridCoordinates: m.flowsInGridCoordinates = true
        case let other: throw fail("unknown flow coordinates '\(other)' (expected '\(unitCubeCoordinates)' or '\(gridCoordinates)')")
        }
        let ch = try matrix("channels", rows: c, cols: channelColumns.count)
        m.active = (0..<c).map { ch[$0, 0] != 0 }
        m.standardDeviations = (0..<c).map { ch[$0, 1] }
        m.channelMeans = (0..<c).map { ch[$0, 2] }
        m.channelCosts = (0..<c).map { ch[$0, 3] }
        m.channelIntegrals = (0..<c).map { ch[$0, 4] }
        m.channelErrors = (0..<c).map { ch[$0, 5] }
        m.maximumWeights = (0..<c).map { ch[$0, 6] }
        // Check the flow shape against the stored parameters before building one (a damaged shape could ask
        // for terabytes): each coupling block holds at least (layers − 1)·units² + units·(3·bins + 1) of them
        // (hidden-to-hidden weights, first biases, output weights), or 3·bins without hidden layers.
        let (stored, storedWidth) = (try? h5.shape("flow_parameters")) ?? (0, 0)
        let u = Double(flow.hiddenUnits), l = Double(flow.hiddenLayers), b = Double(flow.bins)
        let least = Double(flow.couplingBlocks ?? 1) * (l == 0 ? 3 * b : (l - 1) * u * u + u * (3 * b + 1))
        guard stored == c, least <= Double(storedWidth) else {
            throw fail("flow settings (\(flow.bins) bins, \(flow.hiddenLayers) × \(flow.hiddenUnits) units) do not fit dataset 'flow_parameters' (\(stored) × \(storedWidth))")
        }
        let probe = CouplingFlow<Float>(dimension: dimension, config: flow, seed: 0)
        let p = probe.parameterCount
        let params = try matrix("flow_parameters", rows: c, cols: p)
        m.flowParameters = (0..<c).map { r in (0..<p).map { Float(params[r, $0]) } }
        guard m.flowParameters.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw fail("flow parameters are not finite") }
        let steps = try ints("flow_adam_steps", count: c)
        m.flowAdamSteps = steps.map { Int(max($0, 0)) }
        if h5.hasDataset("flow_adam_m") {
            let mm = try matrix("flow_adam_m", rows: c, cols: p), vv = try matrix("flow_adam_v", rows: c, cols: p)
            m.flowAdamM = (0..<c).map { r in m.flowAdamSteps[r] > 0 ? (0..<p).map { Float(mm[r, $0]) } : [] }
            m.flowAdamV = (0..<c).map { r in m.flowAdamSteps[r] > 0 ? (0..<p).map { Float(vv[r, $0]) } : [] }
        } else {
            m.flowAdamSteps = Array(repeating: 0, count: c)
        }
        let e = try matrix("vegas_edges", rows: c, cols: dimension * (vegasBins + 1))
        m.vegasGrids = try (0..<c).map { r in
            let edges = (0..<dimension).map { j in (0...vegasBins).map { e[r, j * (vegasBins + 1) + $0] } }
            do { return try VegasGrid(edges: edges) } catch { throw fail("VEGAS grid of channel \(r): \(error)") }
        }
        let owners = try ints("plan_owners", count: c * rankCount)
        m.owners = (0..<c).map { r in owners[(r * rankCount)..<((r + 1) * rankCount)].filter { $0 >= 0 }.map { Int($0) } }
        guard m.owners.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 < rankCount } }) else { throw fail("channel plan is inconsistent") }
        let positions = try ints("stream_positions", count: c * rankCount)
        m.streamPositions = (0..<c).map { r in
            (0..<m.owners[r].count).map { UInt64(bitPattern: positions[r * rankCount + $0]) }
        }
        let ids = try ints("stream_ids", count: c * rankCount)
        m.streamIDs = (0..<c).map { r in (0..<m.owners[r].count).map { UInt64(bitPattern: ids[r * rankCount + $0]) } }
        if h5.hasDataset("channel_weight_parameters") {
            m.channelWeightParameters = try matrix("channel_weight_parameters", rows: 1).storage.map { Float($0) }
            if h5.hasDataset("channel_weight_adam_m") {
                let q = m.channelWeightParameters.count
                m.channelWeightAdamM = try matrix("channel_weight_adam_m", rows: 1, cols: q).storage.map { Float($0) }
                m.channelWeightAdamV = try matrix("channel_weight_adam_v", rows: 1, cols: q).storage.map { Float($0) }
            }
            m.channelWeightHidden = h5.hasDataset("channel_weight_hidden") ? try ints("channel_weight_hidden").map { Int($0) } : []
        }
        let hist = try matrix("training_history", cols: historyColumns.count)
        guard (0..<hist.rows).allSatisfy({ hist[$0, 0] >= 0 && hist[$0, 0] <= Double(Int32.max) }) else {
            throw fail("dataset 'training_history' holds a step number that is not a count")
        }
        let counts = try ints("training_counts", count: 2 * hist.rows)
        m.history = (0..<hist.rows).map { i in
            TrainingProgress(step: Int(hist[i, 0]), loss: hist[i, 1], integral: hist[i, 2], error: hist[i, 3],
                             relativeStandardDeviation: hist[i, 4], efficiency: hist[i, 5], learningRate: hist[i, 6],
                             activeChannels: Int(counts[2 * i]), integrandCalls: counts[2 * i + 1])
        }
        if h5.hasDataset("survey_weights_nis") { m.surveyWeightsNIS = try matrix("survey_weights_nis", cols: 1).storage }
        if h5.hasDataset("survey_weights_vegas") { m.surveyWeightsVegas = try matrix("survey_weights_vegas", cols: 1).storage }
        if h5.hasDataset("held_out_scores") {
            let scores = try matrix("held_out_scores", cols: 2)
            guard (0..<scores.rows).allSatisfy({ scores[$0, 0] >= 0 && scores[$0, 0] <= Double(m.stepsDone) }) else {
                throw fail("dataset 'held_out_scores' holds a step outside 0…\(m.stepsDone)")
            }
            m.heldOutScores = (0..<scores.rows).map { HeldOutScore(step: Int(scores[$0, 0]), relativeStandardDeviation: scores[$0, 1]) }
        }
        if h5.hasDataset("snapshot_scalars") {
            let head = try matrix("snapshot_scalars", rows: 1, cols: 2)
            guard head[0, 0] >= 0 && head[0, 0] <= Double(m.stepsDone) else {
                throw fail("dataset 'snapshot_scalars' holds a step outside 0…\(m.stepsDone)")
            }
            let flows = try matrix("snapshot_flow_parameters", rows: c, cols: p)
            let sigmas = try matrix("snapshot_standard_deviations", rows: c, cols: 1).storage
            let net = h5.hasDataset("snapshot_channel_weight_parameters")
                ? try matrix("snapshot_channel_weight_parameters", rows: 1, cols: m.channelWeightParameters.count).storage.map { Float($0) } : []
            let rows = (0..<c).map { r in (0..<p).map { Float(flows[r, $0]) } }
            guard rows.allSatisfy({ $0.allSatisfy(\.isFinite) }), net.allSatisfy(\.isFinite) else { throw fail("snapshot parameters are not finite") }
            m.snapshot = TrainingSnapshot(step: Int(head[0, 0]), relativeStandardDeviation: head[0, 1], flowParameters: rows,
                                          channelWeightParameters: net, standardDeviations: sigmas)
        }
        guard m.stepsDone >= 0, m.stepsDone <= max(m.totalSteps, m.stepsDone), m.history.count <= m.stepsDone else {
            throw fail("step counters are inconsistent (\(m.stepsDone) done, \(m.history.count) history rows)")
        }
        return m
    }
}
