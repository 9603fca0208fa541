import XCTest
import Foundation
import Numerics
import Cluster
import Flows
@testable import Integrator

/// Flows acting in their channel's VEGAS grid coordinates: at the start they are the grid exactly, their
/// densities stay normalised and consistent between sampling and evaluation, training on them is unbiased,
/// and a model of them generates with the trained densities.
final class GridCoordinateFlowTests: XCTestCase {
    let comm = SerialCommunicator()

    func adaptedBaseline(_ toy: GaussianMixture, seed: UInt64) throws -> VegasBaseline {
        let baseline = try VegasBaseline(integrand: toy, bins: 16, seed: seed, communicator: comm)
        baseline.adapt(iterations: 3, pointsPerIteration: 4_000)
        return baseline
    }

    func trainer(_ toy: GaussianMixture, baseline: VegasBaseline, steps: Int, seed: UInt64) throws -> Trainer {
        var config = TrainerConfiguration()
        config.steps = steps; config.batchSize = 512; config.seed = seed
        var options = NeuralSamplerOptions()
        options.flow = FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8)
        options.flowsInGridCoordinates = true
        return try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options,
                                                    startingFrom: baseline, communicator: comm)
    }

    /// Before any step the flow's density is the grid's at every point (a unit-cube flow started from the same
    /// grid only matches it at the knots), and its samples' log q equals the density pass's.
    func testAnUntrainedFlowIsExactlyItsGrid() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let baseline = try adaptedBaseline(toy, seed: 3)
        let grid = baseline.allGrids()[0]
        let t = try trainer(toy, baseline: baseline, steps: 0, seed: 3)
        let flow = try XCTUnwrap(t.densities[0] as? FlowChannelDensity<Float>)
        var rng = RandomStream(seed: 9)
        let (y, logQ) = flow.sample(count: 4_000, rng: &rng)
        let logGrid = grid.inverseMap(y).jacobian.map { -log($0) }
        let again = flow.logDensity(y)
        for i in 0..<y.rows {
            XCTAssertEqual(logQ[i], logGrid[i], accuracy: 1e-4, "point \(i)")
            XCTAssertEqual(again[i], logQ[i], accuracy: 1e-4, "point \(i)")
        }
        var unitCube = NeuralSamplerOptions()
        unitCube.flow = FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8)
        let spline = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: TrainerConfiguration(), options: unitCube,
                                                          startingFrom: baseline, communicator: comm)
        let logSpline = spline.densities[0]!.logDensity(y)
        let worst = zip(logSpline, logGrid).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(worst, 1e-2, "a unit-cube spline reduced to 8 bins is not the 16-bin grid")
    }

    /// After training the density is still normalised on the unit cube (∫ q = 1 by plain uniform sampling).
    func testATrainedGridFlowStaysNormalised() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let t = try trainer(toy, baseline: try adaptedBaseline(toy, seed: 4), steps: 30, seed: 4)
        t.train()
        var rng = RandomStream(seed: 10)
        let n = 200_000
        var y = MatrixD(rows: n, cols: 2)
        rng.fillUniform(&y.storage)
        let q = t.densities[1]!.logDensity(y).map { exp($0) }
        let mean = q.reduce(0, +) / Double(n)
        let sd = (q.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1) / Double(n)).squareRoot()
        XCTAssertEqual(mean, 1, accuracy: 4 * sd)
    }

    /// Training in grid coordinates improves on the grid and stays unbiased, on three seeds.
    func testTrainingInGridCoordinatesIsUnbiasedAndImprovesOnTheGrid() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        for seed: UInt64 in [1, 2, 3] {
            let baseline = try adaptedBaseline(toy, seed: seed)
            let vegas = baseline.integrate(points: 20_000)
            let t = try trainer(toy, baseline: baseline, steps: 60, seed: seed)
            t.train()
            let r = t.integrate(points: 20_000)
            XCTAssertEqual(r.integral, toy.exactIntegral, accuracy: 4 * r.error, "seed \(seed)")
            XCTAssertLessThan(r.relativeStandardDeviation, vegas.relativeStandardDeviation, "seed \(seed)")
        }
    }

    /// The model records the coordinates; the generator rebuilt from the file has the trainer's densities.
    func testAModelOfGridFlowsGeneratesWithTheTrainedDensities() throws {
        let toy = try GaussianMixture.standard(dimension: 2, peaks: 2, width: 0.05)
        let baseline = try adaptedBaseline(toy, seed: 5)
        let t = try trainer(toy, baseline: baseline, steps: 5, seed: 5)
        t.train()
        var base = SamplerModel(dimension: 2, channelCount: 2, flow: FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8),
                                vegasBins: 16, seed: 5, rankCount: 1)
        base.vegasGrids = baseline.allGrids()
        base.flowsInGridCoordinates = true
        var model = t.model(base: base)
        model.complete = true
        let path = NSTemporaryDirectory() + "grid-flows-\(UInt32.random(in: 0...UInt32.max)).h5"
        defer { unlink(path) }
        try SamplerModelFile.write(model, to: path)
        let loaded = try SamplerModelFile.read(from: path)
        XCTAssertTrue(loaded.flowsInGridCoordinates)
        XCTAssertTrue(loaded == model)
        let generator = try EventGenerator(integrand: toy, model: loaded, settings: GenerationSettings(events: 10), communicator: comm)
        var rng = RandomStream(seed: 6)
        var y = MatrixD(rows: 256, cols: 2)
        rng.fillUniform(&y.storage)
        for c in 0..<2 {
            XCTAssertEqual(generator.densities[c]!.logDensity(y), t.densities[c]!.logDensity(y))
        }
        // The same parameters read as unit-cube flows are another density: the attribute matters.
        var unit = loaded
        unit.flowsInGridCoordinates = false
        let wrong = try EventGenerator(integrand: toy, model: unit, settings: GenerationSettings(events: 10), communicator: comm)
        XCTAssertNotEqual(wrong.densities[0]!.logDensity(y), t.densities[0]!.logDensity(y))
    }
}
