// The unweighting efficiency an integration pass reports is the fraction of trials the event generator keeps:
// per-channel maxima W_c, channel c picked with probability W_c/ΣW, so ε = 1/Σ_c(s_c/ε_c), not the
// share-weighted mean Σ_c s_c·ε_c (which the headline table used before session 11).
import XCTest
import Numerics
import Cluster
import Flows
import EventIO
@testable import Integrator

final class GeneratorEfficiencyTests: XCTestCase {
    let comm = SerialCommunicator()

    /// Events without physics: one particle row per kept point, enough for the generator's bookkeeping.
    struct PointEvents: EventMaker {
        var particlesPerEvent: Int { 1 }
        var processes: [EventProcess] { [EventProcess(name: "toy", legs: 1)] }
        func events(channel: Int, points: MatrixD, relativeWeights: [Double], trials: [Int64],
                    rng: inout RandomStream) throws -> [EventRecord?] {
            (0..<points.rows).map { i in
                EventRecord(processID: 1, particles: [EventParticle(id: 22, status: 1, mother1: 0, mother2: 0, colour1: 0, colour2: 0,
                                                                    px: points[i, 0], py: 0, pz: 0, e: 1, m: 0)],
                            trials: trials[i], scale: 1, factorizationScale: 1, renormalizationScale: 1, alphaS: 0.1,
                            relativeWeight: relativeWeights[i])
            }
        }
    }

    /// A narrow and a wide peak (a quarter and three quarters of σ) after one VEGAS iteration: the channels'
    /// efficiencies differ enough that the two combinations are ~25 % apart and only one can match the generator.
    func testPassEfficiencyIsTheGeneratorsAcceptance() throws {
        let toy = try GaussianMixture(dimension: 2, peaks: [.init(centre: [0.3, 0.7], width: 0.01),
                                                            .init(centre: [0.7, 0.3], width: 0.2, amplitude: 3)])
        let baseline = try VegasBaseline(integrand: toy, bins: 16, seed: 3, communicator: comm)
        baseline.adapt(iterations: 1, pointsPerIteration: 2_000)
        var config = TrainerConfiguration()
        config.steps = 0; config.batchSize = 512; config.seed = 3
        var options = NeuralSamplerOptions()
        options.flow = FlowConfig(bins: 8, hiddenLayers: 1, hiddenUnits: 8)
        options.flowsInGridCoordinates = true
        let t = try NeuralSamplerFactory.makeTrainer(integrand: toy, configuration: config, options: options,
                                                    startingFrom: baseline, communicator: comm)
        var base = SamplerModel(dimension: 2, channelCount: 2, flow: options.flow, vegasBins: 16, seed: 3, rankCount: 1)
        base.vegasGrids = baseline.allGrids()
        base.flowsInGridCoordinates = true
        var model = t.model(base: base)
        model.complete = true

        var settings = GenerationSettings(events: 20_000)
        settings.surveyPoints = 200_000
        let pass = t.integrate(points: 200_000, unweighter: Unweighter(estimator: settings.estimator))
        XCTAssertGreaterThan(pass.shareWeightedEfficiency, 1.15 * pass.unweightingEfficiency,
                             "the toy must separate the combinations: \(pass.shareWeightedEfficiency) vs \(pass.unweightingEfficiency)")

        let generator = try EventGenerator(integrand: toy, model: model, settings: settings, communicator: comm)
        guard case .finished(let summary) = try generator.generate(maker: PointEvents(), sinks: []) else {
            return XCTFail("generation did not finish")
        }
        XCTAssertEqual(summary.events, 20_000)
        // Kept/trials is binomial (0.7 % at 20k events); the two samples' maxima differ by a few per cent more.
        XCTAssertEqual(summary.efficiency, pass.unweightingEfficiency, accuracy: 0.06 * pass.unweightingEfficiency,
                       "generator kept \(summary.efficiency) of its trials; pass: \(pass.unweightingEfficiency), share-weighted \(pass.shareWeightedEfficiency)")
        // The generator's own maxima give the same figure from its survey: Σ I_c / Σ W_c.
        XCTAssertEqual(summary.efficiency, summary.surveyCrossSection / summary.maximumWeights.reduce(0, +),
                       accuracy: 0.03 * summary.efficiency)
    }
}
