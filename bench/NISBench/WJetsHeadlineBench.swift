// The headline table: pp → e⁺νₑ + n jets at 13 TeV (jets p_T > 20 GeV, |η| < 5, ΔR_jj > 0.4, lepton inclusive,
// NNPDF2.3 LO, μ_R = μ_F = ½ Σ m_T), multi-channel VEGAS against NIS started from the same VEGAS grids.
// Both are measured on fresh samples of equal size with the same maximum-weight estimator (median of 100
// bootstrap maxima, per channel, combined as the event generator keeps events, 1/Σ_c(s_c/ε_c) with s_c the
// channels' integral shares; before session 11 the share-weighted mean Σ_c s_c·ε_c) and, on the same events, with the
// reduced maximum (per channel, overweight events carry ≤ 0.1 % of σ). Settings:
// SamplerComparisonSettings.wPlusJets(jets:scale:). One thread, release build; CPU times are process CPU
// seconds (fair on a shared machine).
// Environment: HEADLINE_JETS (default "1,2,3,4"), HEADLINE_SCALE (multiplies point budgets, default 1),
// HEADLINE_FLAVOUR (1: also the flavour-sampling study at n = 2), HEADLINE_FLAVOUR_COST (1: only the cost per
// point of summed vs sampled flavour), HEADLINE_CHANNEL_CHECK (1: only each channel alone, HEADLINE_CHANNELS), HEADLINE_PRIOR (densities),
// HEADLINE_SAMPLED_FLAVOUR (multiplicities using one sampled |M|² call per point), HEADLINE_SAMPLED_HELICITY
// (multiplicities adapting/training on the helicity-sampled |M|²; default: the settings' choice), tuning overrides (see
// `overridden`), HEADLINE_PDF_PATH (folder holding the PDF set; default ./.venv), HEADLINE_SEEDS (training seeds,
// e.g. "1,2,3": one row per seed, median and worst ratio; default: the settings' seed), HEADLINE_SAMPLE_STUDY (1:
// at n = 2 remeasure the first seed's samplers on fresh samples of HEADLINE_STUDY_POINTS, default
// 10⁴, 3·10⁴, 10⁵, 3·10⁵, 10⁶), HEADLINE_JSON (file the rows are merged into; default bench/results/headline.json,
// "none": not written). Results: bench/RESULTS-headline.md, bench/results/headline.json (check_headline.py).
#if canImport(Glibc)
import Glibc
#endif
import Numerics
import Cluster
import Flows
import Integrator
import HeadlineSettings
import Physics

enum WJetsHeadlineBench {
    /// Gao, Höche, Isaacson, Krause, Schulz (arXiv:2001.10028), as tabulated in arXiv:2203.07460 Table 2:
    /// unweighting efficiencies of their normalizing-flow sampler and of Sherpa's VEGAS-based default for W⁺ + n jets.
    static let published: [Int: (flow: Double, sherpa: Double)] = [1: (0.12, 3.8e-2), 2: (1.0e-2, 7.5e-3), 3: (1.8e-3, 1.5e-3), 4: (8.9e-4, 8.3e-4)]

    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static func setup(jets n: Int) -> CollisionSetup {
        var s = CollisionSetup()
        s.process = "p p > e+ ve" + String(repeating: " j", count: n)
        s.pdfSearchPaths = [env("HEADLINE_PDF_PATH") ?? ".venv"]
        // HEADLINE_PRIOR=densities: classic multi-channel prior α⁰_c = g_c/Σg instead of propagator (SDE) weights.
        if env("HEADLINE_PRIOR") == "densities" { s.priorWeighting = .channelDensities }
        return s
    }

    static func run() {
        if env("HEADLINE_FLAVOUR_COST") == "1" { flavourCost(); return }
        if env("HEADLINE_CHANNEL_CHECK") == "1" { channelCheck(); return }
        if env("HEADLINE_MAPPING_CHECK") == "1" { mappingCheck(); return }
        if env("HEADLINE_WARM_START_CHECK") == "1" { warmStartCheck(); return }
        let jets = (env("HEADLINE_JETS") ?? "1,2,3,4").split(separator: ",").compactMap { Int($0) }
        let scale = env("HEADLINE_SCALE").flatMap(Double.init) ?? 1
        let comm = SerialCommunicator()
        print("W+ + n jets headline (HEADLINE_SCALE = \(scale)); efficiencies: median-of-100-bootstrap-maxima per channel, combined as the generator keeps events (1/Σ s_c/ε_c)")
        let seedList = (env("HEADLINE_SEEDS") ?? "").split(separator: ",").compactMap { UInt64($0) }
        let json = env("HEADLINE_JSON") ?? "bench/results/headline.json"
        var rows: [String] = []
        var records: [[String: Any]] = []
        var failures = 0
        for n in jets {
            do {
                let base = try setup(jets: n).makeIntegrand()
                // HEADLINE_SAMPLED_FLAVOUR: multiplicities that sample one matrix-element call per point (p from
                // warm-up fractions, refined by the flows) instead of summing all of them (default: none — summing
                // gave more unweighted events per CPU second in the flavour study, see RESULTS-headline.md).
                let sampledFlavour = (env("HEADLINE_SAMPLED_FLAVOUR") ?? "").split(separator: ",").compactMap { Int($0) }.contains(n)
                let integrand: any Integrand = sampledFlavour
                    ? try FlavourSampledIntegrand(base: base, probabilities: FlavourSampledIntegrand.sharesProbabilities(of: base))
                    : base
                if sampledFlavour { print("  [n=\(n)] flavour: one sampled matrix-element call per point") }
                var settings = overridden(SamplerComparisonSettings.wPlusJets(jets: n, scale: scale))
                // HEADLINE_SAMPLED_HELICITY: multiplicities whose VEGAS adaptation and NIS training use the
                // helicity-sampled |M|² (unbiased, cheaper); both measurements stay exact.
                let sampledHelicity = env("HEADLINE_SAMPLED_HELICITY").map { $0.split(separator: ",").compactMap { Int($0) }.contains(n) }
                    ?? settings.sampledHelicityTraining
                let training: (any Integrand)? = sampledHelicity && !sampledFlavour ? try base.withSampledHelicities() : nil
                if training != nil { print("  [n=\(n)] adaptation and training on the helicity-sampled |M|²; measurements exact") }
                let seeds = seedList.isEmpty ? [settings.training.seed] : seedList
                var comparisons: [SamplerComparison] = []
                for seed in seeds {
                    settings.training.seed = seed
                    let c = try SamplerComparison.run(integrand: integrand, trainingIntegrand: training, settings: settings,
                                                      communicator: comm, progressInterval: 50) {
                        print("  [n=\(n) seed \(seed)] " + $0); fflush(nil)
                    }
                    let row = tableRow(n: n, channels: integrand.channelCount, seed: seed, c, sampledFlavour: sampledFlavour)
                    print(row); fflush(nil)
                    if integrand.channelCount > 1 { print(channelTable(c)) }
                    rows.append(row)
                    if n == 2 && comparisons.isEmpty && env("HEADLINE_SAMPLE_STUDY") == "1" {
                        sampleSizeStudy(c, integrand: integrand, settings: settings, seed: seed, json: json, comm: comm)
                    }
                    comparisons.append(c)
                }
                if !sampledFlavour {
                    records.append(HeadlineRecord.row(jets: n, channels: integrand.channelCount, settings: settings, seeds: seeds,
                                                      comparisons: comparisons))
                    if seeds.count > 1 { print(seedSummary(n: n, comparisons)) }
                }
            } catch { print("n = \(n) failed: \(error)"); failures += 1 }
        }
        print("\n" + tableHeader + "\n" + rows.joined(separator: "\n"))
        if json != "none" && !records.isEmpty {
            do { try HeadlineJSONFile(path: json).merge(rows: records); print("rows of n = \(records.compactMap { $0["jets"] as? Int }) written to \(json)") }
            catch { print("writing \(json) failed: \(error)"); failures += 1 }
        }
        if env("HEADLINE_FLAVOUR") == "1" { flavourCost(); flavourStudy(scale: scale, comm: comm) }
        // A script running several multiplicities (or seeds side by side) must see that one of them failed.
        if failures > 0 { print("\(failures) failure(s); see above"); exit(1) }
    }

    static let tableHeader = """
    | n | seed | ch | σ VEGAS [pb] | σ NIS [pb] | pull | ε VEGAS boot. / red. | ε NIS boot. / red. | ratio boot. / red. | ε flow (pub.) | ε Sherpa (pub.) | VEGAS warm-up calls / CPU s | NIS training calls / CPU s | unw. ev/s VEGAS | unw. ev/s NIS | break-even events |
    |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
    """

    /// Tuning knobs on top of the defaults: HEADLINE_STEPS, HEADLINE_BATCH, HEADLINE_LOSS, HEADLINE_LR,
    /// HEADLINE_BUFFERED, HEADLINE_CWNET (1: train the channel-weight net on the prior; dens: train it on every
    /// channel's density, α ∝ a·g; balance: α = g/Σg of the current flows, nothing learned), HEADLINE_SEED
    /// (training seed), HEADLINE_UNITS, HEADLINE_LAYERS (hidden layers), HEADLINE_BLOCKS (coupling blocks), HEADLINE_FLOW_BINS,
    /// HEADLINE_EVAL (measurement points), HEADLINE_DROP (channel-dropping threshold, 0: off), HEADLINE_DEFENSIVE
    /// (ε of a defensive mixture of each flow with its channel's VEGAS grid), HEADLINE_HELD_OUT (held-out points of
    /// snapshot selection, 0: keep the last state), HEADLINE_ON_GRID (1: flows in the VEGAS grids' coordinates, 0: on
    /// the unit cube).
    static func overridden(_ base: SamplerComparisonSettings) -> SamplerComparisonSettings {
        var s = base
        if let v = env("HEADLINE_STEPS").flatMap(Int.init) { s.training.steps = v }
        if let v = env("HEADLINE_BATCH").flatMap(Int.init) { s.training.batchSize = v }
        if let v = env("HEADLINE_LOSS").flatMap(TrainingLoss.named) { s.training.loss = v }
        if let v = env("HEADLINE_LR").flatMap(Double.init) { s.training.learningRate = v }
        if let v = env("HEADLINE_BUFFERED").flatMap(Int.init) { s.training.bufferedStepsPerFreshStep = v }
        switch env("HEADLINE_CWNET") {
        case "1": s.options.trainChannelWeights = true
        case "dens": s.options.trainChannelWeights = true; s.options.densityAwareChannelWeights = true
        case "balance": s.options.densityAwareChannelWeights = true
        default: break
        }
        if let v = env("HEADLINE_SEED").flatMap(UInt64.init) { s.training.seed = v }
        if let v = env("HEADLINE_UNITS").flatMap(Int.init) { s.options.flow.hiddenUnits = v }
        if let v = env("HEADLINE_LAYERS").flatMap(Int.init) { s.options.flow.hiddenLayers = v }
        if let v = env("HEADLINE_BLOCKS").flatMap(Int.init) { s.options.flow.couplingBlocks = v }
        if let v = env("HEADLINE_FLOW_BINS").flatMap(Int.init) { s.options.flow.bins = v }
        if let v = env("HEADLINE_EVAL").flatMap(Int.init) { s.evaluationPoints = v }
        if let v = env("HEADLINE_DEFENSIVE").flatMap(Double.init) { s.options.uniformFraction = v; s.options.defensiveMixtureUsesVegasGrid = true }
        if let v = env("HEADLINE_HELD_OUT").flatMap(Int.init) { s.training.heldOutPoints = v }
        if let v = env("HEADLINE_ON_GRID") { s.options.flowsInGridCoordinates = v == "1" }
        if let v = env("HEADLINE_DROP").flatMap(Double.init) { s.training.dropping = v > 0 ? ChannelDropping(threshold: v) : nil }
        s.training.schedule = .cosine(totalSteps: s.training.steps, minimum: 1e-5)
        return s
    }

    static func tableRow(n: Int, channels: Int, seed: UInt64, _ c: SamplerComparison, sampledFlavour: Bool = false) -> String {
        let v = c.vegas, s = c.nis, p = published[n]
        let be = c.breakEvenEvents.map { e($0, 2) } ?? "never"
        return "| \(n)\(sampledFlavour ? "*" : "") | \(seed) | \(channels) | \(e(v.result.integral, 5)) ± \(e(v.result.error, 2)) | \(e(s.result.integral, 5)) ± \(e(s.result.error, 2)) | \(f(c.pull, 2)) | "
            + "\(e(v.result.unweightingEfficiency, 3)) / \(e(v.measurement.reducedMaximumEfficiency, 3)) | "
            + "\(e(s.result.unweightingEfficiency, 3)) / \(e(s.measurement.reducedMaximumEfficiency, 3)) | \(f(c.efficiencyRatio, 2)) / \(f(c.reducedEfficiencyRatio, 2)) | "
            + "\(p.map { e($0.flow, 2) } ?? "–") | \(p.map { e($0.sherpa, 2) } ?? "–") | "
            + "\(v.trainingCalls) / \(f(v.trainingCPUSeconds, 1)) | \(s.trainingCalls) / \(f(s.trainingCPUSeconds, 1)) | "
            + "\(e(v.unweightedPerCPUSecond, 3)) | \(e(s.unweightedPerCPUSecond, 3)) | \(be) |"
    }

    /// Which channels hold the combined efficiency down: per channel its |σ| share, points, ε and w_max
    /// under the bootstrap-median policy, for both measurements.
    static func channelTable(_ c: SamplerComparison) -> String {
        func columns(_ m: SamplerMeasurement, _ k: Int) -> String {
            let r = m.result, total = r.channelIntegrals.reduce(0) { $0 + abs($1) }
            let share = total > 0 ? abs(r.channelIntegrals[k]) / total : 0
            guard let u = m.channelFigures[k] else { return "\(f(share, 3)) | \(r.channelCounts[k]) | – | –" }
            return "\(f(share, 3)) | \(r.channelCounts[k]) | \(e(u.efficiency, 3)) | \(e(u.maximumWeight, 3))"
        }
        var lines = ["| channel | VEGAS share | points | ε | w_max [pb] | NIS share | points | ε | w_max [pb] |", "|---|---|---|---|---|---|---|---|---|"]
        for k in c.vegas.result.channelIntegrals.indices {
            lines.append("| \(k) | \(columns(c.vegas.measurement, k)) | \(columns(c.nis.measurement, k)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Median and worst NIS/VEGAS ratio over the seeds of one multiplicity, both definitions.
    static func seedSummary(n: Int, _ comparisons: [SamplerComparison]) -> String {
        let boot = comparisons.map(\.efficiencyRatio), reduced = comparisons.map(\.reducedEfficiencyRatio)
        return "n = \(n) over \(comparisons.count) seeds: ratio (bootstrap median) median \(f(HeadlineRecord.median(boot), 2)), worst \(f(boot.min()!, 2)); "
            + "ratio (reduced max) median \(f(HeadlineRecord.median(reduced), 2)), worst \(f(reduced.min()!, 2)); "
            + "largest |pull| \(f(comparisons.map { abs($0.pull) }.max()!, 2))"
    }

    /// n = 2: summed subprocesses against one sampled matrix-element call per point (uniform, and ∝ the calls'
    /// mean shares from a warm-up sample), each with the same VEGAS warm-up and NIS training budget.
    static func flavourStudy(scale: Double, comm: SerialCommunicator) {
        print("\nFlavour treatment at n = 2 (unweighted events per CPU second in generation decides)")
        print("| option | calls/point | σ NIS [pb] | ε VEGAS | ε NIS | unw. ev/s VEGAS | unw. ev/s NIS | NIS train CPU s |")
        print("|---|---|---|---|---|---|---|---|")
        do {
            let base = try setup(jets: 2).makeIntegrand()
            let settings = overridden(SamplerComparisonSettings.wPlusJets(jets: 2, scale: scale))
            let summed = try SamplerComparison.run(integrand: base, settings: settings, communicator: comm)
            print(flavourRow("summed (all calls)", callsPerPoint: "\(try FlavourSampledIntegrand(base: base).callCount)", summed)); fflush(nil)
            let uniform = try FlavourSampledIntegrand(base: base)
            let u = try SamplerComparison.run(integrand: uniform, settings: settings, communicator: comm)
            print(flavourRow("sampled, uniform p, learned by the flow", callsPerPoint: "1", u)); fflush(nil)
            // Fixed p ∝ mean share of each call from 2,000 uniform warm-up points (floored).
            let p = FlavourSampledIntegrand.sharesProbabilities(of: base)
            let proportional = try FlavourSampledIntegrand(base: base, probabilities: p)
            let q = try SamplerComparison.run(integrand: proportional, settings: settings, communicator: comm)
            print(flavourRow("sampled, p ∝ mean share, refined by the flow", callsPerPoint: "1", q)); fflush(nil)
        } catch { print("flavour study failed: \(error)") }
    }

    /// CPU cost per point of the summed integrand and of one sampled matrix-element call, n = 1…4
    /// (HEADLINE_JETS), on uniform points of channel 0.
    static func flavourCost() {
        print("| n | ME calls K | summed µs/point | one sampled call µs/point | ratio |")
        print("|---|---|---|---|---|")
        let jets = (env("HEADLINE_JETS") ?? "1,2,3,4").split(separator: ",").compactMap { Int($0) }
        for n in jets {
            do {
                let base = try setup(jets: n).makeIntegrand()
                let sampled = try FlavourSampledIntegrand(base: base)
                let points = n >= 4 ? 400 : 4000
                var rng = RandomStream(seed: 3)
                var y = MatrixD(rows: points, cols: sampled.dimension)
                rng.fillUniform(&y.storage)
                var yk = MatrixD(rows: points, cols: base.dimension)
                for i in 0..<points { for d in 0..<base.dimension { yk[i, d] = y[i, d] } }
                var out = ChannelEvaluation()
                var t0 = processCPUSeconds()
                base.evaluate(channel: 0, points: yk, into: &out)
                let summed = (processCPUSeconds() - t0) / Double(points) * 1e6
                t0 = processCPUSeconds()
                sampled.evaluate(channel: 0, points: y, into: &out)
                let one = (processCPUSeconds() - t0) / Double(points) * 1e6
                print("| \(n) | \(sampled.callCount) | \(f(summed, 1)) | \(f(one, 1)) | \(f(summed / one, 1)) |"); fflush(nil)
            } catch { print("n = \(n): \(error)") }
        }
    }

    /// Consistency of the channels: each channel alone (α = 1) must integrate to σ. VEGAS on single-channel
    /// integrands built from channel c of the W + n set (HEADLINE_JETS, HEADLINE_CHANNELS, HEADLINE_EVAL).
    static func channelCheck() {
        let jets = (env("HEADLINE_JETS") ?? "2,3").split(separator: ",").compactMap { Int($0) }
        let points = env("HEADLINE_EVAL").flatMap(Int.init) ?? 100_000
        print("| n | channel | σ (channel alone, VEGAS) [pb] | rel. std |")
        print("|---|---|---|---|")
        for n in jets {
            do {
                let full = try setup(jets: n).makeIntegrand()
                let wanted = (env("HEADLINE_CHANNELS") ?? "0,1").split(separator: ",").compactMap { Int($0) }.filter { $0 < full.channelCount }
                for c in wanted {
                    let single = try HadronicIntegrand(sqrtS: full.sqrtS, pdf: full.pdf, groups: full.groups, channels: [full.channels[c]],
                                                       cuts: full.cuts, scales: full.scales, model: full.model)
                    let v = try VegasBaseline(integrand: single, seed: 5, communicator: SerialCommunicator())
                    v.adapt(iterations: 8, pointsPerIteration: 10_000)
                    let r = v.integrate(points: points)
                    print("| \(n) | \(c) \(full.channels[c].name) | \(e(r.integral, 5)) ± \(e(r.error, 2)) | \(f(r.relativeStandardDeviation, 1)) |"); fflush(nil)
                }
            } catch { print("n = \(n): \(error)") }
        }
    }

    /// Per-channel integrals of the multi-channel combination before and after VEGAS adaptation
    /// (HEADLINE_JETS, HEADLINE_EVAL, HEADLINE_VEGAS_ITER, HEADLINE_VEGAS_POINTS): a channel whose share drops
    /// after adaptation has a grid that lost support where its prior weight is large.
    static func mappingCheck() {
        let jets = (env("HEADLINE_JETS") ?? "3").split(separator: ",").compactMap { Int($0) }
        let points = env("HEADLINE_EVAL").flatMap(Int.init) ?? 100_000
        let iterations = env("HEADLINE_VEGAS_ITER").flatMap(Int.init) ?? 8
        let perIteration = env("HEADLINE_VEGAS_POINTS").flatMap(Int.init) ?? 8_000
        for n in jets {
            do {
                let integrand = try setup(jets: n).makeIntegrand()
                let bins = env("HEADLINE_VEGAS_BINS").flatMap(Int.init) ?? 64
                let damping = env("HEADLINE_VEGAS_DAMPING").flatMap(Double.init) ?? 1.5
                print("n=\(n): VEGAS \(bins) bins, damping \(damping)")
                let v = try VegasBaseline(integrand: integrand, bins: bins, damping: damping, seed: 7, communicator: SerialCommunicator())
                if env("HEADLINE_VEGAS_ABS") == "1" { for d in v.densities.values { (d as? VegasChannelDensity)?.adaptsOnMagnitude = true } }
                func show(_ label: String, _ r: IntegrationResult) {
                    print("n=\(n) \(label): \(e(r.integral, 5)) ± \(e(r.error, 2)), rel.std \(f(r.relativeStandardDeviation, 2)), ε \(e(r.unweightingEfficiency, 3))")
                    for c in 0..<r.channelIntegrals.count {
                        print("    channel \(c): \(e(r.channelIntegrals[c], 4)) ± \(e(r.channelErrors[c], 2)) (\(r.channelCounts[c]) points)")
                    }
                    fflush(nil)
                }
                show("mappings only (uniform grids)", v.integrate(points: points))
                v.adapt(iterations: iterations, pointsPerIteration: perIteration) { k, r in
                    print("  iteration \(k): \(e(r.integral, 5)) ± \(e(r.error, 2))"); fflush(nil)
                }
                show("after \(iterations) × \(perIteration) adaptation", v.integrate(points: points))
            } catch { print("n = \(n): \(error)") }
        }
    }

    static func flavourRow(_ name: String, callsPerPoint: String, _ c: SamplerComparison) -> String {
        "| \(name) | \(callsPerPoint) | \(e(c.nis.result.integral, 5)) ± \(e(c.nis.result.error, 2)) | \(e(c.vegas.result.unweightingEfficiency, 3)) | "
            + "\(e(c.nis.result.unweightingEfficiency, 3)) | \(e(c.vegas.unweightedPerCPUSecond, 3)) | \(e(c.nis.unweightedPerCPUSecond, 3)) | \(f(c.nis.trainingCPUSeconds, 1)) |"
    }

    static func f(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        let scale = pow(10.0, Double(digits))
        return "\((x * scale).rounded() / scale)"
    }
    /// Scientific notation with `digits` significant digits.
    static func e(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite, x != 0 else { return "\(x)" }
        let exponent = Int(floor(log10(abs(x))))
        let mantissa = x / pow(10.0, Double(exponent))
        let m = f(mantissa, digits - 1)
        return exponent == 0 ? m : "\(m)e\(exponent)"
    }
}
