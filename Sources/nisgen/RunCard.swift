// The run card: one TOML file describing a whole job, read alike by `nisgen train`, `generate` and
// `integrate --card` (the VEGAS-versus-NIS comparison). Sections and keys (`nisgen card` prints them all
// with their defaults and meanings):
//   [process]    process, sqrt_s, pdf, pdf_member, pdf_path, include_bottom, max_propagators
//   [model]      mz, mw, gf, width_w, width_z, cabibbo_angle                       (Gμ scheme inputs)
//   [cuts]       jet_pt_min, jet_eta_max, jet_dr_min, lepton_pt_min, lepton_eta_max, missing_et_min, mt_w_min
//   [scales]     choice, fixed, mu_r_factor, mu_f_factor
//   [training]   VEGAS warm-up, flow, loss, schedule, budget and measurement settings; checkpoint_every
//   [generation] events, weighted, max_weight, overweight_share, survey_points, batch_size, flush_events, lhe, seed,
//                max_fault_share
//   [output]     directory, model, events, lhe, summary, json
//   [run]        seed (training and generation; a section's own seed wins)
// Defaults: the headline table's settings for the card's jet multiplicity (SamplerComparisonSettings.wPlusJets).
// Unknown sections or keys, and values of the wrong type, are errors naming them.
#if canImport(Glibc)
import Glibc
#endif
import TOMLKit
import Numerics
import Cluster
import Flows
import Integrator
import HeadlineSettings
import Physics

struct RunCard {
    var setup = CollisionSetup()
    var settings = SamplerComparisonSettings.wPlusJets(jets: 1)
    var generation = GenerationSettings(events: 10_000)
    var writeLHE = false
    var outputDirectory = "out"
    var modelPath: String?
    var eventsPath: String?
    var lhePath: String?
    var summaryPath: String?
    var json: String?
    var checkpointEvery = 0
    /// [training] batch_per_rank: points per step per rank (the global batch then grows with the rank count);
    /// nil: batch_size is the global batch.
    var batchPerRank: Int?
    /// The card as written (stored in model and event files).
    var text = ""

    static let sections: [String: [String]] = [
        "process": ["process", "sqrt_s", "pdf", "pdf_member", "pdf_path", "include_bottom", "max_propagators"],
        "cuts": ["jet_pt_min", "jet_eta_max", "jet_dr_min", "lepton_pt_min", "lepton_eta_max", "missing_et_min", "mt_w_min"],
        "scales": ["choice", "fixed", "mu_r_factor", "mu_f_factor"],
        "training": ["vegas_iterations", "vegas_points", "vegas_bins", "vegas_damping", "sampled_helicity", "steps", "batch_size", "learning_rate", "schedule", "loss",
                     "buffered_steps", "buffer_capacity", "drop_threshold", "drop_interval", "channel_weights",
                     "density_aware_weights", "channel_weight_steps", "flow_bins", "flow_layers", "flow_units", "flow_blocks", "defensive_fraction", "evaluation_points",
                     "held_out_points", "held_out_interval", "flow_on_vegas_grid", "max_weight", "overweight_fraction", "budget_scale", "checkpoint_every", "batch_per_rank", "seed"],
        "model": ["mz", "mw", "gf", "width_w", "width_z", "cabibbo_angle"],
        "generation": ["events", "weighted", "max_weight", "overweight_share", "survey_points", "batch_size",
                       "flush_events", "lhe", "seed", "max_fault_share"],
        "output": ["directory", "model", "events", "lhe", "summary", "json"],
        "run": ["seed"],
    ]

    /// Whether a card is a physics card (has a [process] section) rather than a toy card.
    static func isPhysicsCard(_ text: String) -> Bool {
        guard (try? TOMLGuard.check(text)) != nil, let table = try? TOMLTable(string: text) else { return false }
        return table["process"] != nil
    }

    /// Jet count of a process string: outgoing particles after ">" minus the lepton pair.
    static func jetCount(process: String) throws -> Int {
        let parts = process.split(separator: ">", maxSplits: 1)
        guard parts.count == 2 else { throw IntegrateError("run card: [process] process '\(process)' has no '>'") }
        let outgoing = parts[1].split(separator: " ").count
        guard outgoing >= 2 else { throw IntegrateError("run card: [process] process '\(process)' needs ℓ and ν in the final state") }
        return outgoing - 2
    }

    init(text: String) throws {
        self.text = text
        try TOMLGuard.check(text)
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch { throw IntegrateError("run card is not valid TOML: \(error)") }
        for key in table.keys where Self.sections[key] == nil {
            throw IntegrateError("run card: unknown section [\(key)]; expected one of \(Self.sections.keys.sorted().joined(separator: ", "))")
        }
        var t = [String: TOMLTable]()
        for (name, keys) in Self.sections {
            guard let value = table[name] else { continue }
            guard let s = value.table else { throw IntegrateError("run card: [\(name)] must be a table") }
            for key in s.keys where !keys.contains(key) {
                throw IntegrateError("run card: unknown key '\(key)' in [\(name)]; expected one of \(keys.joined(separator: ", "))")
            }
            t[name] = s
        }
        let card = CardReader(tables: t)
        setup.pdfSearchPaths = [".venv"]
        if let v = try card.string("process", "process") { setup.process = v }
        if let v = try card.double("process", "sqrt_s", positive: true) { setup.sqrtS = v }
        if let v = try card.string("process", "pdf") { setup.pdfSet = v }
        if let v = try card.int("process", "pdf_member", in: 0...9999) { setup.pdfMember = v }
        if let v = try card.strings("process", "pdf_path") { setup.pdfSearchPaths = v }
        if let v = try card.bool("process", "include_bottom") { setup.includeBottom = v }
        if let v = try card.int("process", "max_propagators", in: 0...Int.max) { setup.maxPropagators = v }
        // Electroweak inputs (Gμ scheme); CollisionSetup.validate() checks them.
        if let v = try card.double("model", "mz", positive: true) { setup.model.mZ = v }
        if let v = try card.double("model", "mw", positive: true) { setup.model.mW = v }
        if let v = try card.double("model", "gf", positive: true) { setup.model.gF = v }
        if let v = try card.double("model", "width_w", positive: true) { setup.model.widthW = v }
        if let v = try card.double("model", "width_z", positive: false) { setup.model.widthZ = v }
        if let v = try card.double("model", "cabibbo_angle", positive: false) { setup.model.cabibboAngle = v }
        func cut(_ key: String, _ path: WritableKeyPath<Cuts, Double?>) throws {
            if let v = try card.double("cuts", key, positive: false) { setup.cuts[keyPath: path] = v < 0 ? nil : v }
        }
        try cut("jet_pt_min", \.jetPTMin); try cut("jet_eta_max", \.jetEtaMax); try cut("jet_dr_min", \.jetDeltaRMin)
        try cut("lepton_pt_min", \.leptonPTMin); try cut("lepton_eta_max", \.leptonEtaMax)
        try cut("missing_et_min", \.missingETMin); try cut("mt_w_min", \.wTransverseMassMin)
        try CutFeasibility.check(setup.cuts, sqrtS: setup.sqrtS, jets: try Self.jetCount(process: setup.process))
        if let c = try card.string("scales", "choice") {
            switch c {
            case "mt_half": setup.scales.choice = .transverseMassHalf
            case "ht_half": setup.scales.choice = .htHalf
            case "htprime_half": setup.scales.choice = .htPrimeHalf
            case "fixed":
                guard let mu = try card.double("scales", "fixed", positive: true) else { throw IntegrateError("run card: [scales] choice = \"fixed\" needs fixed = μ in GeV") }
                setup.scales.choice = .fixed(mu)
            default: throw IntegrateError("run card: [scales] choice '\(c)' unknown; choose mt_half, ht_half, htprime_half or fixed")
            }
        }
        if let v = try card.double("scales", "mu_r_factor", positive: true) { setup.scales.renormalizationFactor = v }
        if let v = try card.double("scales", "mu_f_factor", positive: true) { setup.scales.factorizationFactor = v }

        // Training: the table's defaults for this multiplicity, then the card's overrides.
        let scale = try card.double("training", "budget_scale") ?? 1
        guard scale > 0 && scale.isFinite else { throw IntegrateError("run card: [training] budget_scale must be > 0, got \(scale)") }
        settings = SamplerComparisonSettings.wPlusJets(jets: try Self.jetCount(process: setup.process), scale: scale)
        if let v = try card.int("training", "vegas_iterations", in: 1...Int.max) { settings.vegasIterations = v }
        if let v = try card.int("training", "vegas_points", in: 1...Int.max) { settings.vegasPointsPerIteration = v }
        if let v = try card.int("training", "vegas_bins", in: 2...Int.max) { settings.vegasBins = v }
        if let v = try card.double("training", "vegas_damping", positive: false) { settings.vegasDamping = v }
        if let v = try card.bool("training", "sampled_helicity") { settings.sampledHelicityTraining = v }
        if let v = try card.int("training", "steps", in: 1...Int.max) { settings.training.steps = v }
        if let v = try card.int("training", "batch_size", in: 1...Int.max) { settings.training.batchSize = v }
        if let v = try card.double("training", "learning_rate", positive: true) { settings.training.learningRate = v }
        if let v = try card.string("training", "schedule") {
            switch v {
            case "constant": settings.training.schedule = .constant
            case "cosine": settings.training.schedule = .cosine(totalSteps: settings.training.steps, minimum: 1e-5)
            case "exponential": settings.training.schedule = .exponential(decayPerStep: 0.999)
            default: throw IntegrateError("run card: [training] schedule '\(v)' unknown; choose constant, cosine or exponential")
            }
        }
        if let v = try card.string("training", "loss") {
            guard let l = TrainingLoss.named(v) else { throw IntegrateError("run card: [training] loss '\(v)' unknown; choose variance, stratified, softclip, kl or rkl") }
            settings.training.loss = l
        }
        if let v = try card.int("training", "buffered_steps", in: 0...Int.max) { settings.training.bufferedStepsPerFreshStep = v }
        if let v = try card.int("training", "buffer_capacity", in: 1...Int.max) { settings.training.bufferCapacity = v }
        if let v = try card.double("training", "drop_threshold") {
            guard v >= 0 && v < 1 else { throw IntegrateError("run card: [training] drop_threshold must be in [0,1), got \(v)") }
            settings.training.dropping = v > 0 ? ChannelDropping(threshold: v) : nil
        }
        if let v = try card.int("training", "drop_interval", in: 1...Int.max) { settings.training.droppingInterval = v }
        if let v = try card.bool("training", "channel_weights") { settings.options.trainChannelWeights = v }
        if let v = try card.bool("training", "density_aware_weights") { settings.options.densityAwareChannelWeights = v }
        if let v = try card.int("training", "channel_weight_steps") {
            guard v >= 0 else { throw IntegrateError("run card: [training] channel_weight_steps must be ≥ 0") }
            settings.training.channelWeightTrainingSteps = 0..<v
        }
        if let v = try card.int("training", "flow_bins", in: 1...Int.max) { settings.options.flow.bins = v }
        if let v = try card.int("training", "flow_layers", in: 0...Int.max) { settings.options.flow.hiddenLayers = v }
        if let v = try card.int("training", "flow_units", in: 1...Int.max) { settings.options.flow.hiddenUnits = v }
        if let v = try card.double("training", "defensive_fraction") {
            // ε of each flow's mixture with its channel's VEGAS grid: bounds the weights by w_VEGAS/ε.
            guard v >= 0 && v < 1 else { throw IntegrateError("run card: [training] defensive_fraction must be in [0,1), got \(v)") }
            settings.options.uniformFraction = v
            settings.options.defensiveMixtureUsesVegasGrid = true
        }
        if let v = try card.int("training", "flow_blocks", in: 1...Int.max) { settings.options.flow.couplingBlocks = v }
        if let v = try card.int("training", "evaluation_points", in: 1...Int.max) { settings.evaluationPoints = v }
        if let v = try card.int("training", "held_out_points", in: 0...Int.max) { settings.training.heldOutPoints = v }
        if let v = try card.bool("training", "flow_on_vegas_grid") { settings.options.flowsInGridCoordinates = v }
        if let v = try card.int("training", "held_out_interval", in: 1...Int.max) { settings.training.heldOutInterval = v }
        let fraction = try card.double("training", "overweight_fraction")
        switch try card.string("training", "max_weight") ?? (fraction == nil ? "bootstrap" : "quantile") {
        case "bootstrap": settings.estimator = .bootstrapMedian(replicas: 100)
        case "quantile":
            let f = fraction ?? 1e-3
            guard f >= 0 && f < 1 else { throw IntegrateError("run card: [training] overweight_fraction must be in [0,1), got \(f)") }
            settings.estimator = .quantile(overweightFraction: f)
        case let other: throw IntegrateError("run card: [training] max_weight '\(other)' unknown; choose bootstrap or quantile")
        }
        func seed(_ section: String) throws -> UInt64? {
            guard let v = try card.int(section, "seed") else { return nil }
            guard v >= 0 else { throw IntegrateError("run card: [\(section)] seed must be ≥ 0, got \(v)") }
            return UInt64(v)
        }
        let runSeed = try seed("run")
        if let s = try seed("training") ?? runSeed { settings.training.seed = s }
        generation.seed = try seed("generation") ?? runSeed ?? 1
        if let v = try card.int("training", "checkpoint_every") {
            guard v >= 0 else { throw IntegrateError("run card: [training] checkpoint_every must be ≥ 0, got \(v)") }
            checkpointEvery = v
        }
        if let v = try card.int("training", "batch_per_rank") {
            guard card.value("training", "batch_size") == nil else {
                throw IntegrateError("run card: [training] has both batch_size (points per step in total) and batch_per_rank (per rank); give one")
            }
            guard v >= 1 else { throw IntegrateError("run card: [training] batch_per_rank must be ≥ 1, got \(v)") }
            batchPerRank = v
        }
        if let v = try card.int("generation", "events", in: 1...Int.max) { generation.events = v }
        if let v = try card.bool("generation", "weighted") { generation.weighted = v }
        if let v = try card.int("generation", "survey_points", in: 1...Int.max) { generation.surveyPoints = v }
        if let v = try card.int("generation", "batch_size", in: 1...Int.max) { generation.batchSize = v }
        if let v = try card.int("generation", "flush_events", in: 1...Int.max) { generation.flushEvents = v }
        if let v = try card.double("generation", "max_fault_share") {
            guard v >= 0 && v <= 1 else { throw IntegrateError("run card: [generation] max_fault_share must be in [0, 1], got \(v)") }
            generation.maximumFaultShare = v
        }
        if let v = try card.bool("generation", "lhe") { writeLHE = v }
        let share = try card.double("generation", "overweight_share")
        switch try card.string("generation", "max_weight") ?? "cross_section_share" {
        case "cross_section_share":
            let e = share ?? 1e-3
            guard e >= 0 && e < 1 else { throw IntegrateError("run card: [generation] overweight_share must be in [0,1), got \(e)") }
            generation.estimator = .crossSectionShare(e)
        case "bootstrap": generation.estimator = .bootstrapMedian(replicas: 100)
        case let other: throw IntegrateError("run card: [generation] max_weight '\(other)' unknown; choose cross_section_share or bootstrap")
        }
        do { try generation.validate() } catch { throw IntegrateError("run card: [generation] \(error)") }
        if case .cosine(_, let minimum) = settings.training.schedule {
            settings.training.schedule = .cosine(totalSteps: settings.training.steps, minimum: minimum)
        }
        outputDirectory = try card.string("output", "directory") ?? outputDirectory
        modelPath = try card.string("output", "model")
        eventsPath = try card.string("output", "events")
        lhePath = try card.string("output", "lhe")
        summaryPath = try card.string("output", "summary")
        json = try card.string("output", "json")
        do {
            try settings.validate()
            try settings.options.flow.validate(dimension: 3 * (try Self.jetCount(process: setup.process)) + 4)
        } catch let e as IntegrateError { throw e } catch { throw IntegrateError("run card: \(error)") }
    }

    // Output paths: the card's, else in the output directory.
    var model: String { modelPath ?? outputDirectory + "/model.h5" }
    var events: String { eventsPath ?? outputDirectory + "/events.h5" }
    var lhe: String { lhePath ?? outputDirectory + "/events.lhe" }

    /// Fingerprint of what the physics depends on (process, beams, PDF, model, cuts, scales): a model and the
    /// events made from it must agree on it. Changing training or generation settings does not change it.
    var physicsHash: String {
        textFingerprint("\(setup.process)|\(setup.sqrtS)|\(setup.pdfSet)|\(setup.pdfMember)|\(setup.includeBottom)|\(setup.maxPropagators)|\(setup.model)|\(setup.cuts)|\(setup.scales)")
    }

    /// VEGAS warm-up, VEGAS measurement, NIS training from the grids, NIS measurement; text and JSON report.
    func run(progressInterval: Int) throws -> (text: String, json: String, comparison: SamplerComparison) {
        let integrand: HadronicIntegrand
        do { integrand = try setup.makeIntegrand() } catch { throw IntegrateError("\(error)") }
        setBLASThreads(1)
        let c: SamplerComparison
        do {
            let training = settings.sampledHelicityTraining ? try integrand.withSampledHelicities() : nil
            if training != nil { print("adaptation and training on the helicity-sampled |M|², measurements exact"); fflush(nil) }
            c = try SamplerComparison.run(integrand: integrand, trainingIntegrand: training, settings: settings,
                                          communicator: SerialCommunicator(), progressInterval: progressInterval) { print($0); fflush(nil) }
        } catch { throw IntegrateError("\(error)") }
        func line(_ name: String, _ s: SamplerFigures) -> String {
            "\(name)  σ = \(s.result.integral) ± \(s.result.error) pb, unweighting efficiency \(s.result.unweightingEfficiency) "
                + "(reduced maximum: \(s.measurement.reducedMaximumEfficiency)), "
                + "training \(s.trainingCalls) calls / \(s.trainingCPUSeconds) CPU s, \(s.unweightedPerCPUSecond) unweighted events per CPU s"
        }
        let text = """
        \(setup.process) at √s = \(setup.sqrtS) GeV, \(integrand.channelCount) channels, dimension \(integrand.dimension)
        PDF \(setup.pdfSet) member \(setup.pdfMember); \(setup.model.summary.split(separator: "\n").joined(separator: "; "))
        \(line("VEGAS", c.vegas))
        \(line("NIS  ", c.nis))
        efficiency ratio NIS/VEGAS \(c.efficiencyRatio), pull \(c.pull), break-even \(c.breakEvenEvents.map { "\($0)" } ?? "never") unweighted events
        """
        func obj(_ s: SamplerFigures) -> String {
            "{\"cross_section_pb\": \(jsonNumber(s.result.integral)), \"error_pb\": \(jsonNumber(s.result.error)), \"unweighting_efficiency\": \(jsonNumber(s.result.unweightingEfficiency)), "
                + "\"reduced_max_unweighting_efficiency\": \(jsonNumber(s.measurement.reducedMaximumEfficiency)), "
                + "\"training_calls\": \(s.trainingCalls), \"training_cpu_seconds\": \(jsonNumber(s.trainingCPUSeconds)), \"training_wall_seconds\": \(jsonNumber(s.trainingSeconds)), "
                + "\"evaluation_points\": \(s.result.integrandCalls), \"evaluation_cpu_seconds\": \(jsonNumber(s.evaluationCPUSeconds)), "
                + "\"unweighted_events_per_cpu_second\": \(jsonNumber(s.unweightedPerCPUSecond))}"
        }
        let m = setup.model
        let model = "{\"scheme\": \"Gmu\", \"mz\": \(m.mZ), \"mw\": \(m.mW), \"gf\": \(m.gF), \"width_w\": \(m.widthW), \"width_z\": \(m.widthZ), "
            + "\"cabibbo_angle\": \(m.cabibboAngle), \"sin2_theta_w\": \(m.sin2ThetaW), \"alpha_inverse\": \(1 / m.alpha)}"
        let json = "{\"process\": \"\(setup.process)\", \"sqrt_s\": \(setup.sqrtS), \"channels\": \(integrand.channelCount), "
            + "\"pdf\": \"\(setup.pdfSet)\", \"pdf_member\": \(setup.pdfMember), \"model\": \(model), "
            + "\"vegas\": \(obj(c.vegas)), \"nis\": \(obj(c.nis)), \"efficiency_ratio\": \(jsonNumber(c.efficiencyRatio)), \"pull\": \(jsonNumber(c.pull)), "
            + "\"break_even_events\": \(c.breakEvenEvents.map(jsonNumber) ?? "null"), \"seed\": \(settings.training.seed)}"
        return (text, json, c)
    }
}

/// A JSON number, or null for NaN and infinities (JSON has neither).
func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

/// Typed look-ups in a card's sections with errors naming section and key.
struct CardReader {
    let tables: [String: TOMLTable]
    func value(_ s: String, _ k: String) -> TOMLValueConvertible? { tables[s]?[k] }
    func int(_ s: String, _ k: String) throws -> Int? {
        guard let v = tables[s]?[k] else { return nil }
        guard let i = v.int else { throw IntegrateError("run card: [\(s)] \(k) must be an integer") }
        return i
    }
    /// An integer that must lie in `range` (budgets, counts, sizes): the error names section, key and value.
    func int(_ s: String, _ k: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let i = try int(s, k) else { return nil }
        guard range.contains(i) else {
            let bound = range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "in \(range.lowerBound)…\(range.upperBound)"
            throw IntegrateError("run card: [\(s)] \(k) must be \(bound), got \(i)")
        }
        return i
    }
    func double(_ s: String, _ k: String) throws -> Double? {
        guard let v = tables[s]?[k] else { return nil }
        guard let d = v.double ?? v.int.map(Double.init) else { throw IntegrateError("run card: [\(s)] \(k) must be a number") }
        return d
    }
    /// A number that must be finite (and, with `positive`, > 0): energies, masses, widths, rates, cuts.
    func double(_ s: String, _ k: String, positive: Bool) throws -> Double? {
        guard let d = try double(s, k) else { return nil }
        guard d.isFinite, !positive || d > 0 else {
            throw IntegrateError("run card: [\(s)] \(k) must be \(positive ? "a positive, finite number" : "finite"), got \(d)")
        }
        return d
    }
    func string(_ s: String, _ k: String) throws -> String? {
        guard let v = tables[s]?[k] else { return nil }
        guard let x = v.string else { throw IntegrateError("run card: [\(s)] \(k) must be a string") }
        return x
    }
    func strings(_ s: String, _ k: String) throws -> [String]? {
        guard let v = tables[s]?[k] else { return nil }
        if let x = v.string { return [x] }
        guard let a = v.array else { throw IntegrateError("run card: [\(s)] \(k) must be a string or an array of strings") }
        return try a.map { e in
            guard let x = e.string else { throw IntegrateError("run card: [\(s)] \(k) must be an array of strings") }
            return x
        }
    }
    func bool(_ s: String, _ k: String) throws -> Bool? {
        guard let v = tables[s]?[k] else { return nil }
        guard let b = v.bool else { throw IntegrateError("run card: [\(s)] \(k) must be true or false") }
        return b
    }
}

/// Reads a whole text file (nil when it cannot be opened).
func readCardFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        if n < chunk.count { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}

func writeTextFile(_ path: String, _ text: String) throws {
    guard let f = fopen(path, "w") else { throw IntegrateError("cannot write '\(path)'") }
    fputs(text, f)
    fclose(f)
}
