// Training throughput of the coupling flow: one logDensity + backwardLogDensity per batch (the work of one
// optimizer step), in points per second on one BLAS thread, and the share of the GEMM peak it reaches.
// `NISBench flow scaled`: the toy defaults by dimension; `NISBench flow wjets`: the W + n jet flows (d = 7…16);
// `d=`, `h=`, `n=` pick one configuration (for profiling). Results: bench/RESULTS-foundation.md, RESULTS-headline.md.
import Foundation
import Numerics
import Flows
import Integrator
import HeadlineSettings
#if canImport(Glibc)
import Glibc
#endif

enum FlowThroughputBench {
    /// CPU time of this thread: the machine is shared, and with one BLAS thread all work runs here,
    /// so CPU time measures the code rather than the neighbours' load.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Run `body` repeatedly for at least `seconds` (after one warm-up call); returns seconds per call.
    static func time(seconds: Double = 0.4, _ body: () -> Void) -> Double {
        body()
        var reps = 0
        let start = now()
        var elapsed = 0.0
        repeat { body(); reps += 1; elapsed = now() - start } while elapsed < seconds
        return elapsed / Double(reps)
    }

    /// GEMM floating-point operations of one forward + backward (weights and needed input gradients).
    static func gemmFlops<T>(_ flow: CouplingFlow<T>, batch n: Int) -> Double {
        let cfg = flow.config
        var flops = 0.0
        for b in 0..<flow.blockCount {
            let tr = flow.transformedDimensions(block: b).count
            let widths = [flow.dimension - tr + flow.conditionDimension]
                + Array(repeating: cfg.hiddenUnits, count: cfg.hiddenLayers) + [tr * (3 * cfg.bins + 1)]
            for l in 0..<(widths.count - 1) {
                let mn = 2 * Double(n) * Double(widths[l] * widths[l + 1])
                flops += 2 * mn  // forward product and weight gradient
                if l > 0 || (b > 0 && widths[0] > 0) { flops += mn }  // input gradient
            }
        }
        return flops
    }

    /// GEMM rate (flop/s) for a batch × hidden times hidden × hidden product, the flow's dominant shape.
    static func gemmPeak<T: GEMMScalar>(_: T.Type, batch n: Int, hidden h: Int) -> Double {
        var rng = RandomStream(seed: 1)
        let a = Matrix<T>(rows: n, cols: h, storage: (0..<(n * h)).map { _ in T(rng.uniform()) })
        let b = Matrix<T>(rows: h, cols: h, storage: (0..<(h * h)).map { _ in T(rng.uniform()) })
        var c = Matrix<T>(rows: n, cols: h)
        // Best of three: the peak is the reference, so neighbours' load should not lower it.
        let t = (0..<3).map { _ in time(seconds: 0.25) { gemm(a, b, into: &c) } }.min()!
        return 2 * Double(n * h * h) / t
    }

    struct Figures {
        var pointsPerSecond: Double
        var gflops: Double
        var peak: Double
        /// Throughput of the gradient-free passes alone: logDensity (x → r) and sample (r → x).
        var densityPointsPerSecond: Double
        var samplePointsPerSecond: Double
        /// One on-policy step: sample, then logDensity + backwardLogDensity on the samples; and the same with
        /// sampleForTraining + backwardLogDensity (no second pass).
        var onPolicyPointsPerSecond: Double
        var fusedPointsPerSecond: Double
    }

    static func measure<T: GEMMScalar>(_: T.Type, dimension d: Int, hidden: Int, batch n: Int,
                                       config: FlowConfig? = nil) -> Figures {
        let flow = CouplingFlow<T>(dimension: d, config: config ?? FlowConfig(hiddenUnits: hidden), seed: 42)
        var rng = RandomStream(seed: 7)
        // Perturb the zero last layers so the splines are not the identity (bins are found at random places).
        flow.parameters = flow.parameters.map { $0 + T(0.05 * rng.normal()) }
        let r = Matrix<T>(rows: n, cols: d, storage: (0..<(n * d)).map { _ in T(rng.uniform()) })
        let x = flow.sample(latent: r).x
        let c = [T](repeating: T(-1.0 / Double(n)), count: n)
        let t = time {
            flow.zeroGradients()
            _ = flow.logDensity(x)
            flow.backwardLogDensity(c)
        }
        let tDensity = time { _ = flow.logDensity(x) }
        let tSample = time { _ = flow.sample(latent: r) }
        let tOnPolicy = time {
            flow.zeroGradients()
            let s = flow.sample(latent: r)
            _ = flow.logDensity(s.x)
            flow.backwardLogDensity(c)
        }
        let tFused = time {
            flow.zeroGradients()
            _ = flow.sampleForTraining(latent: r)
            flow.backwardLogDensity(c)
        }
        let flops = gemmFlops(flow, batch: n)
        return Figures(pointsPerSecond: Double(n) / t, gflops: flops / t / 1e9,
                       peak: gemmPeak(T.self, batch: n, hidden: hidden) / 1e9,
                       densityPointsPerSecond: Double(n) / tDensity, samplePointsPerSecond: Double(n) / tSample,
                       onPolicyPointsPerSecond: Double(n) / tOnPolicy, fusedPointsPerSecond: Double(n) / tFused)
    }

    static func run() {
        print("flow training step (logDensity + backwardLogDensity), 1 BLAS thread, thread CPU time, bins 10, 3 hidden layers, log masks")
        print("(train = logDensity + backwardLogDensity; GEMM columns refer to train; density/sample = gradient-free passes;")
        print(" on-policy = sample + logDensity + backward; fused = sampleForTraining + backward)")
        // OpenBLAS picks its kernels from the CPU id; on this VM it falls back to Prescott (SSE3) unless told otherwise.
        let core = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) } ?? "unset (auto-detected)"
        print("OPENBLAS_CORETYPE: \(core)")
        print("type    d  hidden  batch  train pts/s  GEMM GFLOP/s  GEMM peak GFLOP/s  % of peak  density pts/s  sample pts/s  on-policy pts/s  fused pts/s")
        func row(_ name: String, _ d: Int, _ h: Int, _ n: Int, _ m: Figures) {
            let cols = [name.padding(toLength: 6, withPad: " ", startingAt: 0), String(d), String(h), String(n),
                        String(format: "%.3e", m.pointsPerSecond), String(format: "%.2f", m.gflops),
                        String(format: "%.2f", m.peak), String(format: "%.1f", 100 * m.gflops / m.peak),
                        String(format: "%.3e", m.densityPointsPerSecond), String(format: "%.3e", m.samplePointsPerSecond),
                        String(format: "%.3e", m.onPolicyPointsPerSecond), String(format: "%.3e", m.fusedPointsPerSecond)]
            let widths = [6, 3, 7, 6, 12, 13, 18, 10, 14, 13, 16, 12]
            print(zip(cols, widths).map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: " "))
        }
        // Optional filters for profiling, e.g. `NISBench flow d=8 h=32 n=16384`.
        func only(_ key: String, _ all: [Int]) -> [Int] {
            for a in CommandLine.arguments where a.hasPrefix(key + "=") {
                if let v = Int(a.dropFirst(key.count + 1)) { return [v] }
            }
            return all
        }
        // `NISBench flow scaled`: the dimension-scaled toy defaults (FlowConfig.scaled) at the training batch.
        if CommandLine.arguments.contains("scaled") {
            print("(scaled: FlowConfig.scaled(dimension:), 2 hidden layers, 16 bins, 2⌈log₂ d⌉ blocks)")
            for d in only("d", [2, 4, 8]) {
                let config = FlowConfig.scaled(dimension: d)
                row("Float", d, config.hiddenUnits, 1024,
                    measure(Float.self, dimension: d, hidden: config.hiddenUnits, batch: 1024, config: config))
            }
            return
        }
        // `NISBench flow wjets`: the shipped W + n jet flows (SamplerComparisonSettings.wPlusJets) in the
        // dimensions of n = 1…4 (3n + 4), at a generation batch.
        if CommandLine.arguments.contains("wjets") {
            for d in only("d", [7, 10, 13, 16]) {
                let config = SamplerComparisonSettings.wPlusJets(jets: (d - 4) / 3).options.flow
                print("(wjets d = \(d): \(config.bins) bins, \(config.hiddenLayers) × \(config.hiddenUnits) hidden units, "
                      + "\(config.couplingBlocks.map(String.init) ?? "2⌈log₂ d⌉") blocks)")
                row("Float", d, config.hiddenUnits, 4096,
                    measure(Float.self, dimension: d, hidden: config.hiddenUnits, batch: 4096, config: config))
            }
            return
        }
        for d in only("d", [4, 8]) {
            for h in only("h", [32, 64]) {
                for n in only("n", [1024, 16384]) {
                    row("Float", d, h, n, measure(Float.self, dimension: d, hidden: h, batch: n))
                    row("Double", d, h, n, measure(Double.self, dimension: d, hidden: h, batch: n))
                }
            }
        }
    }
}
