// `nisgen integrate`: train the neural multi-channel sampler (or the VEGAS baseline) on a toy integrand and
// report the integral, its error, the unweighting efficiency, timings and call counts (text and JSON).
// Settings come from a TOML card (`--card`), overridden by command-line options.
import ArgumentParser
import TOMLKit
import Numerics
import Cluster
import Flows
import Integrator
#if canImport(Glibc)
import Glibc
#endif

struct Integrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a multi-channel neural importance sampler on a toy integrand and integrate it.",
        discussion: "Toys: gaussians (--dimension --peaks --width [--widths --amplitudes --no-prior]), camel (--dimension --width), ring (--radius --width), breitwigner (--masses --widths). A TOML card may set everything: sections [toy] (name, dimension, peaks, width, widths, centres, amplitudes, prior, radius, masses), [sampler] (kind = \"nis\" or \"vegas\", vegas_init, channel_weights, density_aware_weights, uniform_fraction, seed), [training] (steps, batch_size, learning_rate, schedule, loss, buffered_steps, buffer_capacity, drop_threshold, drop_interval, channel_weight_steps), [flow] (bins, layers, units, blocks), [vegas] (iterations, points, bins), [integration] (points, max_weight, overweight_fraction). Options given on the command line win over the card. A card with a [process] section is a physics card instead: pp → ℓν + jets, multi-channel VEGAS and NIS compared (sections [process], [cuts], [scales], [training], [output]; see cards/wplus_2j.toml and `nisgen train`).")

    @Option(help: "TOML run card.") var card: String?
    @Option(help: "Toy integrand: gaussians, camel, ring, breitwigner.") var toy: String?
    @Option(help: "Dimension of the toy.") var dimension: Int?
    @Option(help: "Number of Gaussian peaks.") var peaks: Int?
    @Option(help: "Width of the peaks / ring / resonances.") var width: Double?
    @Option(help: "Per-peak or per-resonance widths, comma separated.") var widths: String?
    @Option(help: "Per-peak amplitudes, comma separated.") var amplitudes: String?
    @Option(help: "Breit–Wigner masses, comma separated (sets the dimension).") var masses: String?
    @Option(help: "Ring radius.") var radius: Double?
    @Flag(help: "No prior channel weights (α starts uniform instead of from the mappings' densities).") var noPrior = false

    @Option(help: "Sampler: nis (flows + channel weights) or vegas (multi-channel VEGAS baseline).") var sampler: String?
    @Option(help: "Training steps of the neural sampler (the VEGAS baseline uses --vegas-iterations).") var steps: Int?
    @Option(help: "Points per training step.") var batchSize: Int?
    @Option(help: "Adam learning rate.") var learningRate: Double?
    @Option(help: "Learning-rate schedule: constant, cosine, exponential.") var schedule: String?
    @Option(help: "Loss: variance, stratified, softclip, kl, rkl.") var loss: String?
    @Option(help: "Buffered steps per fresh step (0: off).") var bufferedSteps: Int?
    @Option(help: "Sampling steps kept in the replay buffer.") var bufferCapacity: Int?
    @Option(help: "Drop channels whose cumulative share is below this (0: off).") var dropThreshold: Double?
    @Option(help: "Steps between channel-dropping checks.") var dropInterval: Int?
    @Option(help: "Train the channel-weight net only in the first N steps.") var channelWeightSteps: Int?
    @Flag(help: "Train the channel-weight network (off by default: it can bias the integral, see the docs).") var channelWeights = false
    @Flag(help: "Density-aware channel weights α ∝ a·g on every channel's current density (a learned with --channel-weights, else 1).") var densityAwareWeights = false
    @Flag(help: "Pre-train each channel with VEGAS and start the flows from the grids.") var vegasInit = false
    @Option(help: "VEGAS iterations (baseline adaptation or pre-training).") var vegasIterations: Int?
    @Option(help: "VEGAS points per iteration.") var vegasPoints: Int?
    @Option(help: "Spline bins of the flows (default 16).") var flowBins: Int?
    @Option(help: "Hidden layers of the coupling networks (default 2).") var flowLayers: Int?
    @Option(help: "Hidden units of the coupling networks (default: 8·(⌈log2 d⌉+1)).") var flowUnits: Int?
    @Option(help: "Coupling blocks of the flows (default: from the dimension).") var flowBlocks: Int?
    @Option(help: "Fraction of each channel's points drawn uniformly (defensive mixture, default 0).") var uniformFraction: Double?
    @Option(help: "Points of the final integration pass.") var points: Int?
    @Option(help: "Maximum-weight estimate: bootstrap (median of bootstrap maxima, default) or quantile.") var maxWeight: String?
    @Option(help: "Allowed overweight fraction for --max-weight quantile.") var overweightFraction: Double?
    @Option(help: "Random seed.") var seed: UInt64?
    @Option(help: "Write the results as JSON to this file.") var json: String?
    @Option(help: "Print training progress every N steps (0: never).") var progressInterval = 50

    func run() throws {
        var settings = IntegrateSettings()
        if let card {
            guard let text = readCardFile(card) else { throw IntegrateError("cannot read run card '\(card)'") }
            // A [process] section makes it a physics card (pp → ℓν + jets, see RunCard).
            if RunCard.isPhysicsCard(text) {
                let physics = try RunCard(text: text)
                let out = try physics.run(progressInterval: progressInterval)
                print(out.text)
                if let path = json ?? physics.json { try writeTextFile(path, out.json + "\n") }
                return
            }
            try settings.apply(card: text)
        }
        try settings.apply(command: self)
        let report = try settings.execute(progressInterval: progressInterval)
        print(report.text)
        if let json {
            guard let f = fopen(json, "w") else { throw IntegrateError("cannot write JSON file '\(json)'") }
            fputs(report.json + "\n", f)
            fclose(f)
        }
    }
}

/// A run-time problem with the settings: printed as "Error: …" without the usage banner.
struct IntegrateError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Every setting of a run with its default; filled from a card, then from options.
struct IntegrateSettings {
    var toy = ToySpecification(name: "gaussians")
    var sampler = "nis"
    var training = TrainerConfiguration()
    var options = NeuralSamplerOptions()
    /// Flow settings given by the card or options; the rest follow the toy's dimension.
    var flow = FlowOverrides()
    var vegasInit = false
    var vegas = VegasPretraining()
    var points = 100_000
    var estimator = MaximumWeightEstimator.default

    /// Defaults: the configuration of the Gaussian-mixture benchmark (flows scaled with the dimension, cosine decay).
    init() {
        training.steps = 500
        training.batchSize = 1024
        training.learningRate = 1e-3
        training.schedule = .cosine(totalSteps: 500, minimum: 1e-5)
    }

    // MARK: card

    mutating func apply(card text: String) throws {
        let table: TOMLTable
        try TOMLGuard.check(text)
        do { table = try TOMLTable(string: text) } catch { throw IntegrateError("run card is not valid TOML: \(error)") }
        let known = ["toy", "sampler", "training", "flow", "vegas", "integration"]
        for key in table.keys where !known.contains(key) {
            throw IntegrateError("run card: unknown section [\(key)]; expected one of \(known.joined(separator: ", "))")
        }
        if let t = try section(table, "toy", keys: ["name", "dimension", "peaks", "width", "widths", "centres", "amplitudes", "prior", "radius", "masses"]) {
            if let v = try string(t, "toy", "name") { toy.name = v }
            toy.dimension = try int(t, "toy", "dimension") ?? toy.dimension
            toy.peaks = try int(t, "toy", "peaks") ?? toy.peaks
            toy.width = try double(t, "toy", "width") ?? toy.width
            toy.widths = try doubles(t, "toy", "widths") ?? toy.widths
            toy.amplitudes = try doubles(t, "toy", "amplitudes") ?? toy.amplitudes
            toy.radius = try double(t, "toy", "radius") ?? toy.radius
            toy.masses = try doubles(t, "toy", "masses") ?? toy.masses
            toy.usesPriorWeights = try bool(t, "toy", "prior") ?? toy.usesPriorWeights
            if let c = t["centres"] {
                guard let rows = c.array else { throw IntegrateError("run card: [toy] centres must be an array of arrays") }
                toy.centres = try rows.map { row in
                    guard let r = row.array else { throw IntegrateError("run card: [toy] centres must be an array of arrays") }
                    return try r.map { v in
                        guard let x = v.double ?? v.int.map(Double.init) else { throw IntegrateError("run card: [toy] centres must hold numbers") }
                        return x
                    }
                }
            }
        }
        if let t = try section(table, "sampler", keys: ["kind", "vegas_init", "channel_weights", "density_aware_weights", "uniform_fraction", "seed"]) {
            if let f = try double(t, "sampler", "uniform_fraction") {
                guard f >= 0 && f < 1 else { throw IntegrateError("run card: [sampler] uniform_fraction must be in [0,1), got \(f)") }
                options.uniformFraction = f
            }
            sampler = try string(t, "sampler", "kind") ?? sampler
            vegasInit = try bool(t, "sampler", "vegas_init") ?? vegasInit
            options.trainChannelWeights = try bool(t, "sampler", "channel_weights") ?? options.trainChannelWeights
            options.densityAwareChannelWeights = try bool(t, "sampler", "density_aware_weights") ?? options.densityAwareChannelWeights
            if let s = try int(t, "sampler", "seed") {
                guard s >= 0 else { throw IntegrateError("run card: [sampler] seed must be ≥ 0") }
                training.seed = UInt64(s)
            }
        }
        if let t = try section(table, "training", keys: ["steps", "batch_size", "learning_rate", "schedule", "loss", "buffered_steps",
                                                         "buffer_capacity", "drop_threshold", "drop_interval", "channel_weight_steps"]) {
            training.steps = try int(t, "training", "steps") ?? training.steps
            training.batchSize = try int(t, "training", "batch_size") ?? training.batchSize
            training.learningRate = try double(t, "training", "learning_rate") ?? training.learningRate
            if let s = try string(t, "training", "schedule") { try setSchedule(s) }
            if let l = try string(t, "training", "loss") { try setLoss(l) }
            training.bufferedStepsPerFreshStep = try int(t, "training", "buffered_steps") ?? training.bufferedStepsPerFreshStep
            training.bufferCapacity = try int(t, "training", "buffer_capacity") ?? training.bufferCapacity
            if let d = try double(t, "training", "drop_threshold") { try setDropping(d) }
            training.droppingInterval = try int(t, "training", "drop_interval") ?? training.droppingInterval
            if let n = try int(t, "training", "channel_weight_steps") { try setChannelWeightSteps(n) }
        }
        if let t = try section(table, "flow", keys: ["bins", "layers", "units", "blocks"]) {
            flow.bins = try int(t, "flow", "bins") ?? flow.bins
            flow.hiddenLayers = try int(t, "flow", "layers") ?? flow.hiddenLayers
            flow.hiddenUnits = try int(t, "flow", "units") ?? flow.hiddenUnits
            flow.couplingBlocks = try int(t, "flow", "blocks") ?? flow.couplingBlocks
        }
        if let t = try section(table, "vegas", keys: ["iterations", "points", "bins"]) {
            vegas.iterations = try int(t, "vegas", "iterations") ?? vegas.iterations
            vegas.pointsPerIteration = try int(t, "vegas", "points") ?? vegas.pointsPerIteration
            vegas.bins = try int(t, "vegas", "bins") ?? vegas.bins
        }
        if let t = try section(table, "integration", keys: ["points", "max_weight", "overweight_fraction"]) {
            points = try int(t, "integration", "points") ?? points
            let fraction = try double(t, "integration", "overweight_fraction")
            if let m = try string(t, "integration", "max_weight") { try setEstimator(m, fraction) }
            else if let fraction { try setEstimator("quantile", fraction) }
        }
    }

    private func section(_ table: TOMLTable, _ name: String, keys: [String]) throws -> TOMLTable? {
        guard let value = table[name] else { return nil }
        guard let t = value.table else { throw IntegrateError("run card: [\(name)] must be a table") }
        for key in t.keys where !keys.contains(key) {
            throw IntegrateError("run card: unknown key '\(key)' in [\(name)]; expected one of \(keys.joined(separator: ", "))")
        }
        return t
    }
    private func int(_ t: TOMLTable, _ s: String, _ k: String) throws -> Int? {
        guard let v = t[k] else { return nil }
        guard let i = v.int else { throw IntegrateError("run card: [\(s)] \(k) must be an integer") }
        return i
    }
    private func double(_ t: TOMLTable, _ s: String, _ k: String) throws -> Double? {
        guard let v = t[k] else { return nil }
        guard let d = v.double ?? v.int.map(Double.init) else { throw IntegrateError("run card: [\(s)] \(k) must be a number") }
        return d
    }
    private func string(_ t: TOMLTable, _ s: String, _ k: String) throws -> String? {
        guard let v = t[k] else { return nil }
        guard let x = v.string else { throw IntegrateError("run card: [\(s)] \(k) must be a string") }
        return x
    }
    private func bool(_ t: TOMLTable, _ s: String, _ k: String) throws -> Bool? {
        guard let v = t[k] else { return nil }
        guard let b = v.bool else { throw IntegrateError("run card: [\(s)] \(k) must be true or false") }
        return b
    }
    private func doubles(_ t: TOMLTable, _ s: String, _ k: String) throws -> [Double]? {
        guard let v = t[k] else { return nil }
        guard let a = v.array else { throw IntegrateError("run card: [\(s)] \(k) must be an array of numbers") }
        return try a.map { x in
            guard let d = x.double ?? x.int.map(Double.init) else { throw IntegrateError("run card: [\(s)] \(k) must be an array of numbers") }
            return d
        }
    }

    // MARK: options

    mutating func apply(command c: Integrate) throws {
        if let v = c.toy { toy.name = v }
        if let v = c.dimension { toy.dimension = v }
        if let v = c.peaks { toy.peaks = v }
        if let v = c.width { toy.width = v }
        if let v = c.widths { toy.widths = try Self.list(v, "--widths") }
        if let v = c.amplitudes { toy.amplitudes = try Self.list(v, "--amplitudes") }
        if let v = c.masses { toy.masses = try Self.list(v, "--masses") }
        if let v = c.radius { toy.radius = v }
        if c.noPrior { toy.usesPriorWeights = false }
        if let v = c.sampler { sampler = v }
        if let v = c.steps { training.steps = v }
        if let v = c.batchSize { training.batchSize = v }
        if let v = c.learningRate { training.learningRate = v }
        if let v = c.schedule { try setSchedule(v) }
        if let v = c.loss { try setLoss(v) }
        if let v = c.bufferedSteps { training.bufferedStepsPerFreshStep = v }
        if let v = c.bufferCapacity { training.bufferCapacity = v }
        if let v = c.dropThreshold { try setDropping(v) }
        if let v = c.dropInterval { training.droppingInterval = v }
        if let v = c.channelWeightSteps { try setChannelWeightSteps(v) }
        if c.channelWeights { options.trainChannelWeights = true }
        if c.densityAwareWeights { options.densityAwareChannelWeights = true }
        if c.vegasInit { vegasInit = true }
        if let v = c.vegasIterations { vegas.iterations = v }
        if let v = c.vegasPoints { vegas.pointsPerIteration = v }
        if let v = c.flowBins { flow.bins = v }
        if let v = c.flowLayers { flow.hiddenLayers = v }
        if let v = c.flowUnits { flow.hiddenUnits = v }
        if let v = c.flowBlocks { flow.couplingBlocks = v }
        if let v = c.uniformFraction {
            guard v >= 0 && v < 1 else { throw IntegrateError("uniform fraction must be in [0,1), got \(v)") }
            options.uniformFraction = v
        }
        if let v = c.points { points = v }
        if let v = c.maxWeight { try setEstimator(v, c.overweightFraction) }
        else if let f = c.overweightFraction { try setEstimator("quantile", f) }
        if let v = c.seed { training.seed = v }
    }

    static func list(_ text: String, _ option: String) throws -> [Double] {
        try text.split(separator: ",").map {
            guard let d = Double(String($0.filter { $0 != " " })) else {
                throw IntegrateError("\(option): '\($0)' is not a number (expected a comma-separated list)")
            }
            return d
        }
    }

    mutating func setSchedule(_ name: String) throws {
        switch name {
        case "constant": training.schedule = .constant
        case "cosine": training.schedule = .cosine(totalSteps: training.steps, minimum: 1e-5)
        case "exponential": training.schedule = .exponential(decayPerStep: 0.999)
        default: throw IntegrateError("unknown schedule '\(name)'; choose constant, cosine or exponential")
        }
    }
    mutating func setLoss(_ name: String) throws {
        guard let l = TrainingLoss.named(name) else {
            throw IntegrateError("unknown loss '\(name)'; choose variance, stratified, softclip, kl or rkl")
        }
        training.loss = l
    }
    mutating func setDropping(_ threshold: Double) throws {
        guard threshold >= 0 && threshold < 1 else { throw IntegrateError("drop threshold must be in [0,1), got \(threshold)") }
        training.dropping = threshold > 0 ? ChannelDropping(threshold: threshold) : nil
    }
    mutating func setChannelWeightSteps(_ n: Int) throws {
        guard n >= 0 else { throw IntegrateError("channel-weight steps must be ≥ 0, got \(n)") }
        training.channelWeightTrainingSteps = 0..<n
    }
    mutating func setEstimator(_ name: String, _ fraction: Double?) throws {
        switch name {
        case "bootstrap": estimator = .bootstrapMedian(replicas: 100)
        case "quantile":
            let f = fraction ?? 1e-3
            guard f >= 0 && f < 1 else { throw IntegrateError("overweight fraction must be in [0,1), got \(f)") }
            estimator = .quantile(overweightFraction: f)
        default: throw IntegrateError("unknown max-weight estimate '\(name)'; choose bootstrap or quantile")
        }
    }

    // MARK: run

    struct Report { var text: String; var json: String }

    func execute(progressInterval: Int) throws -> Report {
        var training = self.training
        if case .cosine(_, let minimum) = training.schedule {
            training.schedule = .cosine(totalSteps: training.steps, minimum: minimum)   // follow the final step count
        }
        let integrand: any ToyIntegrand
        do { integrand = try toy.make() } catch { throw IntegrateError("\(error)") }
        guard points >= 1 else { throw IntegrateError("integration points must be ≥ 1, got \(points)") }
        guard ["nis", "vegas"].contains(sampler) else { throw IntegrateError("unknown sampler '\(sampler)'; choose nis or vegas") }
        let comm = SerialCommunicator()
        setBLASThreads(1)
        let unweighter = Unweighter(estimator: estimator)
        let result: IntegrationResult
        var trainingSeconds = 0.0, trainingCalls: Int64 = 0
        if sampler == "vegas" {
            do { try vegas.validate() } catch { throw IntegrateError("\(error)") }
            let baseline = try VegasBaseline(integrand: integrand, bins: vegas.bins, seed: training.seed, communicator: comm)
            baseline.adapt(iterations: vegas.iterations, pointsPerIteration: vegas.pointsPerIteration) { k, r in
                if progressInterval > 0 { print("vegas iteration \(k): \(r.integral) ± \(r.error)") }
            }
            trainingSeconds = baseline.adaptationSeconds
            trainingCalls = baseline.integrandCalls
            result = baseline.integrate(points: points, unweighter: unweighter)
        } else {
            var options = self.options
            options.flow = flow.config(dimension: integrand.dimension)
            if vegasInit { options.vegasPretraining = vegas }
            let start = comm.wallTime()
            let trainer: Trainer
            do {
                trainer = try NeuralSamplerFactory.makeTrainer(integrand: integrand, configuration: training, options: options,
                                                               communicator: comm)
            } catch { throw IntegrateError("\(error)") }
            trainer.train { p in
                if progressInterval > 0 && (p.step % progressInterval == 0 || p.step == training.steps) {
                    print("step \(p.step)/\(training.steps)  loss \(fmt(p.loss))  I \(fmt(p.integral))  rel.std \(fmt(p.relativeStandardDeviation))  lr \(fmt(p.learningRate))  channels \(p.activeChannels)")
                }
            }
            trainingSeconds = comm.wallTime() - start
            trainingCalls = trainer.integrandCalls + trainer.pretrainingCalls
            result = trainer.integrate(points: points, unweighter: unweighter)
        }
        let exact = integrand.exactIntegral
        let pull = result.error > 0 ? (result.integral - exact) / result.error : 0
        let text = """
        toy \(integrand.name) (dimension \(integrand.dimension), \(integrand.channelCount) channels), sampler \(sampler)
        integral      \(fmt(result.integral)) ± \(fmt(result.error))  (exact \(fmt(exact)), pull \(fmt(pull)))
        rel. std dev  \(fmt(result.relativeStandardDeviation))
        unweighting   efficiency \(fmt(result.unweightingEfficiency)), overweight fraction \(fmt(result.overweightFraction)), overweight share \(fmt(result.overweightShare))
        training      \(fmt(trainingSeconds)) s, \(trainingCalls) integrand calls
        integration   \(fmt(result.seconds)) s, \(result.integrandCalls) integrand calls
        """
        let channels = (0..<integrand.channelCount).map {
            "{\"integral\": \(jsonNumber(result.channelIntegrals[$0])), \"error\": \(jsonNumber(result.channelErrors[$0])), \"points\": \(result.channelCounts[$0])}"
        }.joined(separator: ", ")
        let json = """
        {"toy": "\(integrand.name)", "dimension": \(integrand.dimension), "channels": \(integrand.channelCount), "sampler": "\(sampler)", \
        "integral": \(jsonNumber(result.integral)), "error": \(jsonNumber(result.error)), "exact": \(jsonNumber(exact)), "pull": \(jsonNumber(pull)), \
        "relative_std_dev": \(jsonNumber(result.relativeStandardDeviation)), "unweighting_efficiency": \(jsonNumber(result.unweightingEfficiency)), \
        "overweight_fraction": \(jsonNumber(result.overweightFraction)), "overweight_share": \(jsonNumber(result.overweightShare)), \
        "training_seconds": \(jsonNumber(trainingSeconds)), "training_calls": \(trainingCalls), \
        "integration_seconds": \(jsonNumber(result.seconds)), "integration_calls": \(result.integrandCalls), "seed": \(training.seed), \
        "per_channel": [\(channels)]}
        """
        return Report(text: text, json: json)
    }
}

private func fmt(_ x: Double) -> String {
    if x == 0 || !x.isFinite { return "\(x)" }
    let a = abs(x)
    if a >= 1e-3 && a < 1e5 {
        let scaled = (x * 1e6).rounded() / 1e6
        return "\(scaled)"
    }
    return "\(x)"
}

