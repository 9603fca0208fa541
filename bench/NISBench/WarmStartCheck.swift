// Does a flow started from a VEGAS grid sample like the grid? (HEADLINE_WARM_START_CHECK=1, HEADLINE_JETS,
// HEADLINE_EVAL.) Per channel: the flow's forward log q against its inverse log q and the grid's log q at the
// same points, and the whole samplers measured on fresh points: VEGAS, the step-0 flows, and the held-out score.
#if canImport(Glibc)
import Glibc
#endif
import Numerics
import Cluster
import Flows
import Integrator
import HeadlineSettings
import Physics

extension WJetsHeadlineBench {
    static func warmStartCheck() {
        let jets = (env("HEADLINE_JETS") ?? "3").split(separator: ",").compactMap { Int($0) }
        let comm = SerialCommunicator()
        for n in jets {
            do {
                let integrand = try setup(jets: n).makeIntegrand()
                let settings = overridden(SamplerComparisonSettings.wPlusJets(jets: n))
                let points = settings.evaluationPoints
                let baseline = try VegasBaseline(integrand: integrand, bins: settings.vegasBins, damping: settings.vegasDamping,
                                                 allocation: settings.training.allocation, seed: settings.training.seed, communicator: comm)
                baseline.adapt(iterations: settings.vegasIterations, pointsPerIteration: settings.vegasPointsPerIteration)
                let trainer = try NeuralSamplerFactory.makeTrainer(integrand: integrand, configuration: settings.training,
                                                                   options: settings.options, startingFrom: baseline, communicator: comm)
                let grids = baseline.allGrids()
                print("n=\(n): flow \(settings.options.flow.bins) bins, VEGAS \(settings.vegasBins) bins")
                for c in 0..<integrand.channelCount {
                    guard let flow = trainer.densities[c] as? FlowChannelDensity<Float> else { continue }
                    var rng = RandomStream(seed: 77, stream: UInt64(c))
                    let (y, logForward) = flow.sample(count: 20_000, rng: &rng)
                    let logInverse = flow.logDensity(y)
                    let logGrid = grids[c].inverseMap(y).jacobian.map { -log($0) }
                    var worstRoundTrip = 0.0
                    var ratios = [Double]()   // log(q_grid / g_flow) at the flow's points
                    for i in 0..<y.rows {
                        worstRoundTrip = max(worstRoundTrip, abs(logForward[i] - logInverse[i]))
                        ratios.append(logGrid[i] - logForward[i])
                    }
                    ratios.sort()
                    func q(_ p: Double) -> String { f(ratios[min(Int(p * Double(ratios.count)), ratios.count - 1)], 2) }
                    // The same with points drawn from the grid: where does the flow fall short of the grid?
                    var u = MatrixD(rows: 20_000, cols: integrand.dimension)
                    rng.fillUniform(&u.storage)
                    let (yg, jac) = grids[c].map(u)
                    let logFlowAtGrid = flow.logDensity(yg)
                    var short = zip(jac, logFlowAtGrid).map { -log($0) - $1 }
                    short.sort()
                    func s(_ p: Double) -> String { f(short[min(Int(p * Double(short.count)), short.count - 1)], 2) }
                    print("  channel \(c): max |log q fwd − inv| \(e(worstRoundTrip, 2)); log(q_grid/g) at flow points: min \(q(0)) median \(q(0.5)) max \(f(ratios.last!, 2)); at grid points: median \(s(0.5)) 99.9% \(s(0.999)) max \(f(short.last!, 2))")
                    fflush(nil)
                }
                let v = baseline.integrate(points: points, batchSize: settings.evaluationBatch)
                print("  VEGAS: \(e(v.integral, 5)) ± \(e(v.error, 2)), rel. std \(f(v.relativeStandardDeviation, 2)), ε \(e(v.unweightingEfficiency, 3))")
                for c in 0..<v.channelIntegrals.count { print("    channel \(c): \(e(v.channelIntegrals[c], 4)) ± \(e(v.channelErrors[c], 2)) (\(v.channelCounts[c]) points)") }
                let r = trainer.integrate(points: points, batchSize: settings.evaluationBatch)
                print("  flows at step 0: \(e(r.integral, 5)) ± \(e(r.error, 2)), rel. std \(f(r.relativeStandardDeviation, 2)), ε \(e(r.unweightingEfficiency, 3))")
                for c in 0..<r.channelIntegrals.count { print("    channel \(c): \(e(r.channelIntegrals[c], 4)) ± \(e(r.channelErrors[c], 2)) (\(r.channelCounts[c]) points)") }
                fflush(nil)
            } catch { print("n = \(n): \(error)") }
        }
    }
}
