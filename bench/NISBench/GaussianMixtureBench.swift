// Mixtures of narrow Gaussians, one channel per peak: unweighting efficiency, relative standard deviation,
// pull against the exact integral and training wall time for multi-channel VEGAS, NIS from scratch, NIS
// started from VEGAS and NIS with buffered training. One thread, release build.
// Reference: bench/madnis_reference.py (PyTorch `madnis` on the same mixtures, same budget and estimator);
// the side-by-side table is in bench/RESULTS-foundation.md (2026-12-02).
// Flows: `FlowConfig.scaled(dimension:)` (2⌈log₂ d⌉ blocks, 2 hidden layers × 8(⌈log₂ d⌉+1) units, 16 bins),
// each overridable by NISBENCH_BLOCKS, NISBENCH_UNITS, NISBENCH_LAYERS, NISBENCH_BINS; cosine learning-rate decay from 1e-3;
// stratified-variance loss; mapping-density prior channel weights (the channel-weight net only in "NIS +cwnet").
// Times are wall-clock and process CPU seconds (the machine may be shared; CPU time is the fairer figure).
// Environment: NISBENCH_STEPS (default 2000), NISBENCH_POINTS (final pass, default 100000), NISBENCH_CASES
// (comma-separated subset of 2d,4d,8d), NISBENCH_SEEDS (comma-separated training seeds, default 1),
// NISBENCH_METHODS (subset of vegas,scratch,vegas-init,buffered,cwnet,cwnet-dens,dens-a1), NISBENCH_BATCH
// (points per step, default 1024), NISBENCH_LR (initial learning rate, default 1e-3), NISBENCH_BLOCKS/UNITS/
// LAYERS/BINS (flow size; default FlowConfig.scaled(dimension:)).
// "cwnet" trains the plain channel-weight net (α ∝ a·α⁰, mapping prior); "cwnet-dens" the density-aware one
// (α ∝ a·g, g every channel's current density); "dens-a1" the balance heuristic of the current flows
// (α = g/Σg, nothing learned).
// bench/madnis_reference.py measures the PyTorch reference on the same mixtures.
#if canImport(Glibc)
import Glibc
#endif
import Numerics
import Cluster
import Flows
import Integrator

enum GaussianMixtureBench {
    struct Case { var label: String; var dimension: Int; var peaks: Int; var width: Double }

    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static func run() {
        let steps = env("NISBENCH_STEPS").flatMap(Int.init) ?? 2000
        let points = env("NISBENCH_POINTS").flatMap(Int.init) ?? 100_000
        let batch = env("NISBENCH_BATCH").flatMap(Int.init) ?? 1024
        let learningRate = env("NISBENCH_LR").flatMap(Double.init) ?? 1e-3
        let all = [Case(label: "2d", dimension: 2, peaks: 2, width: 0.03),
                   Case(label: "4d", dimension: 4, peaks: 3, width: 0.05),
                   Case(label: "8d", dimension: 8, peaks: 4, width: 0.1)]
        let wanted = list("NISBENCH_CASES") ?? all.map(\.label)
        let seeds = (list("NISBENCH_SEEDS") ?? ["1"]).compactMap(UInt64.init)
        let methods = list("NISBENCH_METHODS") ?? ["vegas", "scratch", "vegas-init", "buffered", "cwnet"]
        let comm = SerialCommunicator()
        print("Gaussian mixtures: \(steps) steps × \(batch) points, final pass \(points) points, one thread")
        print(pad("case", 22) + pad("method", 16) + pad("eff", 8) + pad("rel.std", 9) + pad("pull", 8) + pad("wall s", 8)
              + pad("cpu s", 8) + "train calls")
        for c in all where wanted.contains(c.label) {
            let toy: GaussianMixture
            do { toy = try GaussianMixture.standard(dimension: c.dimension, peaks: c.peaks, width: c.width) }
            catch { print("bad case \(c.label): \(error)"); continue }
            let name = "\(c.dimension)-D \(c.peaks) peaks σ=\(c.width)"
            // VEGAS only: as many integrand calls as the neural training.
            if methods.contains("vegas") { do {
                let iterations = 10
                let cpu0 = cpuSeconds()
                let vegas = try VegasBaseline(integrand: toy, seed: seeds.first ?? 1, communicator: comm)
                vegas.adapt(iterations: iterations, pointsPerIteration: steps * batch / iterations)
                let cpu = cpuSeconds() - cpu0
                let r = vegas.integrate(points: points)
                row(name, "VEGAS", r, toy, vegas.adaptationSeconds, cpu, vegas.integrandCalls - r.integrandCalls)
            } catch { print("VEGAS failed: \(error)") } }
            let flow = flowConfig(dimension: c.dimension)
            print("flow: \(flow.couplingBlocks ?? 0) blocks, \(flow.hiddenLayers) × \(flow.hiddenUnits) hidden, \(flow.bins) bins")
            for (key, method) in [("scratch", "NIS scratch"), ("vegas-init", "NIS VEGAS-init"), ("buffered", "NIS buffered"),
                                  ("cwnet", "NIS +cwnet"), ("cwnet-dens", "NIS +cwnet dens."), ("dens-a1", "NIS dens. a=1")]
                where methods.contains(key) {
              for seed in seeds {
                var config = TrainerConfiguration()
                config.steps = method == "NIS buffered" ? steps / 2 : steps
                config.bufferedStepsPerFreshStep = method == "NIS buffered" ? 1 : 0
                config.batchSize = batch
                config.learningRate = learningRate
                config.schedule = .cosine(totalSteps: config.steps, minimum: 1e-5)
                config.seed = seed
                var options = NeuralSamplerOptions()
                options.flow = flow
                if method != "NIS scratch" { options.vegasPretraining = VegasPretraining(iterations: 6, pointsPerIteration: 20_000) }
                // The channel-weight net on top of VEGAS-init, to show its effect (off in the other rows).
                options.trainChannelWeights = method.hasPrefix("NIS +cwnet")
                options.densityAwareChannelWeights = method.contains("dens.")
                do {
                    let start = comm.wallTime(), cpu0 = cpuSeconds()
                    let trainer = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options,
                                                                       communicator: comm)
                    trainer.train()
                    let seconds = comm.wallTime() - start, cpu = cpuSeconds() - cpu0
                    let r = trainer.integrate(points: points)
                    row(name, method + (seeds.count > 1 ? " s\(seed)" : ""), r, toy, seconds, cpu,
                        trainer.integrandCalls - r.integrandCalls + trainer.pretrainingCalls)
                } catch { print("\(method) failed: \(error)") }
              }
            }
        }
    }

    static func list(_ name: String) -> [String]? { env(name).map { $0.split(separator: ",").map(String.init) } }

    /// The dimension-scaled default flow with any NISBENCH_BLOCKS/UNITS/LAYERS/BINS override.
    static func flowConfig(dimension: Int) -> FlowConfig {
        .scaled(dimension: dimension, bins: env("NISBENCH_BINS").flatMap(Int.init), hiddenLayers: env("NISBENCH_LAYERS").flatMap(Int.init),
                hiddenUnits: env("NISBENCH_UNITS").flatMap(Int.init), couplingBlocks: env("NISBENCH_BLOCKS").flatMap(Int.init))
    }

    static func row(_ name: String, _ method: String, _ r: IntegrationResult, _ toy: GaussianMixture, _ seconds: Double,
                    _ cpu: Double, _ calls: Int64) {
        let pull = (r.integral - toy.exactIntegral) / r.error
        print(pad(name, 22) + pad(method, 16) + pad(f(r.unweightingEfficiency, 3), 8) + pad(f(r.relativeStandardDeviation, 3), 9)
              + pad(f(pull, 2), 8) + pad(f(seconds, 1), 8) + pad(f(cpu, 1), 8) + "\(calls)")
    }

    /// Process CPU time (user + system) in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    static func f(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        let scale = pow(10.0, Double(digits))
        return "\((x * scale).rounded() / scale)"
    }
}
