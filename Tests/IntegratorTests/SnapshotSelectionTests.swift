import XCTest
import Foundation
import Numerics
import Cluster
import Flows
@testable import Integrator

/// Snapshot selection: the held-out variance is the sampler's true variance, a state that stops covering the
/// integrand scores infinitely badly, training ends in the best-scoring state, and a resumed run selects as an
/// uninterrupted one does.
final class SnapshotSelectionTests: XCTestCase {
    let comm = SerialCommunicator()

    /// f(y) = 3y² on [0, 1] (I = 1), one channel.
    struct Cubic: Integrand {
        var dimension: Int { 1 }
        var channelCount: Int { 1 }
        var featureCount: Int { 0 }
        func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
            result.value = points.storage.map { 3 * $0 * $0 }
        }
    }

    /// A fixed density on [0, 1] given by its logarithm (sampling is not needed to score it).
    final class FixedDensity: ChannelDensity {
        let logQ: (Double) -> Double
        init(_ logQ: @escaping (Double) -> Double) { self.logQ = logQ }
        var dimension: Int { 1 }
        var isTrainable: Bool { false }
        func sample(count: Int, rng: inout RandomStream) -> (points: MatrixD, logDensity: [Double]) { fatalError("not sampled") }
        func logDensityForTraining(_ points: MatrixD) -> [Double] { points.storage.map(logQ) }
        func backward(_ dLogDensity: [Double]) {}
        func step(learningRate: Double) {}
        func observe(points: MatrixD, weights: [Double]) {}
        func adapt() {}
    }

    func heldOutFigures(_ density: FixedDensity, points: Int) -> HeldOutFigures {
        let sampler = ChannelBatchSampler(integrand: Cubic())
        let sample = HeldOutSample(sampler: sampler, grids: [VegasGrid(dimension: 1, bins: 8)], plan: .all(1), points: points,
                                   seed: 3, communicator: comm)
        XCTAssertEqual(sample.integrandCalls, Int64(points))
        return sample.figures(densities: [0: density], channelWeights: PriorChannelWeights(channelCount: 1), active: [true],
                              sampler: sampler, communicator: comm)
    }

    /// Var_g(f/g) = ∫ f²/g − I²: 9/5 − 1 for g = 1 and 9/8 − 1 for g = 2y, estimated from uniform held-out points.
    func testHeldOutVarianceIsTheSamplersVariance() {
        let n = 40_000
        let uniform = heldOutFigures(FixedDensity { _ in 0 }, points: n)
        let linear = heldOutFigures(FixedDensity { log(2 * $0) }, points: n)
        // Estimator errors from the analytic moments: sd(9y⁴) = 7.89 and sd(9y³/2) = 1.27 under the uniform points,
        // and δ(rel. std) = δ(second moment) / (2 · rel. std).
        for (figures, exact, sdSecond) in [(uniform, (0.8).squareRoot(), 2.078), (linear, (0.125).squareRoot(), 1.270)] {
            let error = sdSecond / Double(n).squareRoot() / (2 * exact)
            XCTAssertEqual(figures.integral, 1, accuracy: 4 * 0.745 / Double(n).squareRoot())
            XCTAssertEqual(figures.relativeStandardDeviation, exact, accuracy: 4 * error)
        }
        XCTAssertLessThan(linear.relativeStandardDeviation, uniform.relativeStandardDeviation / 2)
    }

    /// g = 2 on [0, ½) and 0 beyond: half of the integrand is never sampled, which no finite score may hide.
    func testASamplerThatMissesPartOfTheIntegrandScoresInfinite() {
        let holed = heldOutFigures(FixedDensity { $0 < 0.5 ? log(2) : -.infinity }, points: 4_000)
        XCTAssertEqual(holed.relativeStandardDeviation, .infinity)
    }

    /// The held-out sample does not depend on the plan: channels shared by several ranks are split by position
    /// in one sequence, so three ranks score a sampler as one does (up to the order of the sums).
    func testThreeRanksSharingChannelsScoreAsOneRank() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        var grid = VegasGrid(dimension: 2, bins: 8)
        grid = try VegasGrid(edges: grid.edges.map { e in e.map { $0 * $0 } })  // not uniform, so q matters
        let config = FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8)
        func score(plan: ChannelPlan, comm: any Communicator) -> (HeldOutFigures, Int64) {
            let sampler = ChannelBatchSampler(integrand: toy)
            let sample = HeldOutSample(sampler: sampler, grids: [grid, grid], plan: plan, points: 3_001, seed: 5, communicator: comm)
            var densities = [Int: any ChannelDensity]()
            for c in plan.ownedChannels { densities[c] = FlowChannelDensity<Float>(dimension: 2, config: config, seed: 11 + UInt64(c)) }
            return (sample.figures(densities: densities, channelWeights: PriorChannelWeights(channelCount: 2), active: [true, true],
                                   sampler: sampler, communicator: comm), sample.integrandCalls)
        }
        let (serial, serialCalls) = score(plan: .all(2), comm: comm)
        let ranks = try LocalCommunicator.run(size: 3) { comm in
            score(plan: ChannelPlan(rank: comm.rank, rankCount: 3, owners: [[0, 1, 2], [1]]), comm: comm)
        }
        XCTAssertEqual(serialCalls, 2 * 1_500)
        for (figures, calls) in ranks {
            XCTAssertEqual(calls, serialCalls)
            XCTAssertEqual(figures.integral, serial.integral, accuracy: 1e-12 * abs(serial.integral))
            XCTAssertEqual(figures.relativeStandardDeviation, serial.relativeStandardDeviation, accuracy: 1e-12)
            XCTAssertEqual(figures.relativeStandardDeviation, ranks[0].0.relativeStandardDeviation, "identical on every rank")
        }
    }

    // MARK: - Selection during training

    func warmStartedTrainer(steps: Int = 20, heldOutPoints: Int = 8_000) throws -> (Trainer, GaussianMixture) {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let baseline = try VegasBaseline(integrand: toy, bins: 16, seed: 4, communicator: comm)
        baseline.adapt(iterations: 3, pointsPerIteration: 4_000)
        var config = TrainerConfiguration()
        config.steps = steps; config.batchSize = 512; config.seed = 4
        config.heldOutPoints = heldOutPoints; config.heldOutInterval = 5
        var options = NeuralSamplerOptions()
        options.flow = FlowConfig(bins: 16, hiddenLayers: 1, hiddenUnits: 8)
        return (try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options,
                                                     startingFrom: baseline, communicator: comm), toy)
    }

    /// Spline logits × 8: bins collapse, the density nearly vanishes over much of each channel — a tail.
    static func damage(_ trainer: Trainer) {
        for d in trainer.densities.values {
            guard let f = d as? FlowChannelDensity<Float> else { continue }
            f.flow.parameters = f.flow.parameters.map { $0 * 8 }
        }
    }

    func flowParameters(_ trainer: Trainer) -> [[Float]] {
        (0..<trainer.plan.channelCount).map { (trainer.densities[$0] as! FlowChannelDensity<Float>).flow.parameters }
    }

    /// Every state from step 10 on is damaged: training must end in a state of step ≤ 10, whose fresh-sample
    /// variance is far below the damaged one's and whose integral is unbiased.
    func testADamagedStateIsNotShipped() throws {
        let (trainer, toy) = try warmStartedTrainer()
        trainer.stopRequested = { [unowned trainer] in
            if trainer.stepsDone >= 10 { Self.damage(trainer) }
            return false
        }
        XCTAssertTrue(trainer.train())
        let selection = try XCTUnwrap(trainer.selection)
        XCTAssertEqual(selection.scores.map(\.step), [0, 5, 10, 15, 20])
        let best = try XCTUnwrap(selection.best)
        XCTAssertLessThanOrEqual(best.step, 10)
        XCTAssertEqual(trainer.selectedStep, best.step)
        for later in selection.scores where later.step > 10 {
            XCTAssertGreaterThan(later.relativeStandardDeviation, 2 * best.relativeStandardDeviation, "step \(later.step)")
        }
        XCTAssertEqual(flowParameters(trainer), best.flowParameters, "the trainer holds the kept state")
        XCTAssertEqual(trainer.standardDeviations, best.standardDeviations)

        let kept = trainer.integrate(points: 20_000)
        XCTAssertEqual(kept.integral, toy.exactIntegral, accuracy: 4 * kept.error)
        Self.damage(trainer)
        let damaged = trainer.integrate(points: 20_000)
        XCTAssertGreaterThan(damaged.error, 2 * kept.error, "the damaged state samples worse (errors on equal samples)")
    }

    /// Without damage the kept state is as good as the last on the held-out sample, and the scores fell.
    func testUndamagedTrainingKeepsItsBestScoredState() throws {
        let (trainer, _) = try warmStartedTrainer()
        trainer.train()
        let selection = try XCTUnwrap(trainer.selection)
        let best = try XCTUnwrap(selection.best)
        XCTAssertEqual(best.relativeStandardDeviation, selection.scores.map(\.relativeStandardDeviation).min())
        XCTAssertLessThan(best.relativeStandardDeviation, selection.scores[0].relativeStandardDeviation,
                          "training improved on the VEGAS start")
        XCTAssertEqual(selection.heldOutCalls, 8_000)
        XCTAssertEqual(trainer.integrandCalls, 20 * 512, "held-out calls are counted apart from the training's")
    }

    /// Stopped at step 7, written, read and resumed: the same scores, the same kept state as without the stop.
    func testAResumedRunSelectsAsAnUninterruptedOne() throws {
        let (whole, _) = try warmStartedTrainer()
        whole.train()
        let (first, _) = try warmStartedTrainer()
        first.stopRequested = { [unowned first] in first.stepsDone == 7 }
        XCTAssertFalse(first.train())
        let base = SamplerModel(dimension: 2, channelCount: 2, flow: FlowConfig(bins: 16, hiddenLayers: 1, hiddenUnits: 8),
                                vegasBins: 16, seed: 4, rankCount: 1)
        let model = first.model(base: base)
        XCTAssertEqual(model.heldOutScores.map(\.step), [0, 5])
        let path = NSTemporaryDirectory() + "snapshot-\(UInt32.random(in: 0...UInt32.max)).h5"
        defer { unlink(path) }
        try SamplerModelFile.write(model, to: path)
        let loaded = try SamplerModelFile.read(from: path)
        XCTAssertTrue(loaded == model, "the snapshot and scores read back as written")
        let (resumed, _) = try warmStartedTrainer()
        try resumed.restore(from: loaded)
        XCTAssertTrue(resumed.train())
        XCTAssertEqual(resumed.selection?.scores, whole.selection?.scores)
        XCTAssertEqual(resumed.selection?.best, whole.selection?.best)
        XCTAssertEqual(flowParameters(resumed), flowParameters(whole))
    }
}
