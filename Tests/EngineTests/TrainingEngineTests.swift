// `nisgen train` under real mpirun: 1, 2 and 4 ranks agree within errors; the same seed and rank count give
// a bit-identical model; replicas of the channel-weight net and of shared flows stay identical; a run stopped
// after k steps and resumed from its model file ends identical to an uninterrupted one.
import XCTest
import Integrator

final class TrainingEngineTests: XCTestCase {
    func train(_ ranks: Int?, card: String, in dir: URL, _ extra: [String] = []) throws -> (NisgenProcess.Result, SamplerModel?) {
        let r = try NisgenProcess.run(ranks: ranks, ["train", "--card", card, "--progress-interval", "0"] + extra, in: dir)
        XCTAssertFalse(r.timedOut, "train hung: \(r.output.suffix(3000))")
        let model = try? SamplerModelFile.read(from: dir.appendingPathComponent(extra.firstIndex(of: "--output").map { extra[$0 + 1] } ?? "out/model.h5").path)
        return (r, model)
    }

    func testOneTwoAndFourRanksAgreeAndSameSeedIsBitIdentical() throws {
        let dir = try NisgenProcess.scratch("ranks", cards: ["w1.toml": NisgenProcess.card(jets: 1)])
        defer { try? FileManager.default.removeItem(at: dir) }
        var models = [Int: SamplerModel]()
        for ranks in [1, 2, 4] {
            let (r, model) = try train(ranks == 1 ? nil : ranks, card: "w1.toml", in: dir, ["--output", "m\(ranks).h5"])
            XCTAssertEqual(r.status, 0, r.output.suffix(3000).description)
            let m = try XCTUnwrap(model, "no model written on \(ranks) ranks")
            XCTAssertTrue(m.complete)
            XCTAssertEqual(m.rankCount, ranks)
            XCTAssertEqual(m.stepsDone, 30)
            // With 1 channel, every rank shares it.
            XCTAssertEqual(m.owners, [Array(0..<ranks)])
            XCTAssertGreaterThan(m.error, 0)
            models[ranks] = m
        }
        for (a, b) in [(1, 2), (1, 4), (2, 4)] {
            let ma = models[a]!, mb = models[b]!
            let pull = (ma.crossSection - mb.crossSection) / (ma.error * ma.error + mb.error * mb.error).squareRoot()
            XCTAssertLessThan(abs(pull), 3, "σ on \(a) ranks \(ma.crossSection) ± \(ma.error), on \(b) ranks \(mb.crossSection) ± \(mb.error)")
        }
        // 1 rank is the serial sampler: more ranks split the same batch differently, so models differ…
        XCTAssertNotEqual(models[1]!.flowParameters, models[2]!.flowParameters)
        // …but the same seed on the same rank count repeats the run exactly.
        let (r, again) = try train(2, card: "w1.toml", in: dir, ["--output", "m2-again.h5"])
        XCTAssertEqual(r.status, 0, r.output.suffix(2000).description)
        let m2 = try XCTUnwrap(again)
        XCTAssertEqual(m2.flowParameters, models[2]!.flowParameters)
        XCTAssertEqual(m2.crossSection, models[2]!.crossSection)
        XCTAssertEqual(m2.fingerprint, models[2]!.fingerprint)
        XCTAssertEqual(m2.history, models[2]!.history)
    }

    func testChannelWeightNetAndSharedFlowsStayIdenticalOnFourRanks() throws {
        // The plain net on the prior, so the channels are balanced over the ranks (density-aware weights, the
        // n = 2 default, would give every rank both channels).
        let card = NisgenProcess.card(jets: 2, training: "channel_weights = true\ndensity_aware_weights = false")
        let dir = try NisgenProcess.scratch("replicas", cards: ["w2.toml": card])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, model) = try train(4, card: "w2.toml", in: dir, ["--verify-replicas"])
        XCTAssertEqual(r.status, 0, r.output.suffix(3000).description)
        XCTAssertTrue(r.stdout.contains("replicas identical: channel-weight net on 4 ranks"), r.stdout)
        let m = try XCTUnwrap(model)
        // Two channels over four ranks: both are shared (balanced by cost), every rank owns one.
        XCTAssertEqual(m.owners.count, 2)
        XCTAssertEqual(m.owners.flatMap { $0 }.sorted(), [0, 1, 2, 3])
        XCTAssertTrue(m.owners.contains { $0.count >= 2 }, "\(m.owners)")
        // The net trained (its last layer starts at zero) and its optimiser state was saved.
        XCTAssertFalse(m.channelWeightParameters.isEmpty)
        XCTAssertEqual(m.channelWeightAdamSteps, m.stepsDone)
        XCTAssertTrue(m.complete)
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let dir = try NisgenProcess.scratch("resume", cards: ["w1.toml": NisgenProcess.card(jets: 1, training: "checkpoint_every = 5")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (full, reference) = try train(2, card: "w1.toml", in: dir, ["--output", "full.h5"])
        XCTAssertEqual(full.status, 0, full.output.suffix(2000).description)
        let (stopped, partial) = try train(2, card: "w1.toml", in: dir, ["--output", "part.h5", "--stop-after", "12"])
        XCTAssertEqual(stopped.status, 85, "a stopped run exits 85 for requeueing: \(stopped.output.suffix(2000))")
        let p = try XCTUnwrap(partial)
        XCTAssertFalse(p.complete)
        XCTAssertEqual(p.stepsDone, 12)
        XCTAssertEqual(p.history.count, 12)
        // Without --resume an existing model is not overwritten.
        let (refused, _) = try train(2, card: "w1.toml", in: dir, ["--output", "part.h5"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("exists"), refused.stderr)
        let (resumed, final) = try train(2, card: "w1.toml", in: dir, ["--output", "part.h5", "--resume", "part.h5"])
        XCTAssertEqual(resumed.status, 0, resumed.output.suffix(2000).description)
        XCTAssertTrue(resumed.stdout.contains("resuming at step 12/30"), resumed.stdout)
        let f = try XCTUnwrap(final), ref = try XCTUnwrap(reference)
        XCTAssertTrue(f.complete)
        XCTAssertEqual(f.flowParameters, ref.flowParameters)
        XCTAssertEqual(f.flowAdamM, ref.flowAdamM)
        XCTAssertEqual(f.streamPositions, ref.streamPositions)
        XCTAssertEqual(f.history, ref.history)
        XCTAssertEqual(f.crossSection, ref.crossSection)
        XCTAssertEqual(f.error, ref.error)
        XCTAssertEqual(f.maximumWeights, ref.maximumWeights)
        // Resuming a complete model does nothing.
        let (noop, _) = try train(2, card: "w1.toml", in: dir, ["--output", "part.h5", "--resume", "part.h5"])
        XCTAssertEqual(noop.status, 0)
        XCTAssertTrue(noop.stdout.contains("already complete"), noop.stdout)
    }

    /// Real stop signals during training: SIGINT (Ctrl-C) and SIGTERM (Slurm at the time limit) to every rank.
    /// The model is written, marked unfinished, the job exits 85; `--resume` finishes it.
    func testSigintAndSigtermDuringTrainingWriteTheModelAndExit85() throws {
        let dir = try NisgenProcess.scratch("train-signals", cards: ["w1.toml": NisgenProcess.card(jets: 1)])
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, signal) in [("int", SIGINT), ("term", SIGTERM)] {
            let model = "\(name).h5"
            let job = try RunningJob(ranks: 2, ["train", "--card", "w1.toml", "--output", model, "--steps", "3000",
                                                "--progress-interval", "0.2"], in: dir)
            XCTAssertTrue(job.wait(upTo: 180) { job.stderr.contains("training: ") }, "no training progress: \(job.output.suffix(2000))")
            for pid in job.ranks().values { kill(pid, signal) }
            let status = job.waitForExit(timeout: 120)
            XCTAssertEqual(status, 85, "\(name): \(job.output.suffix(2000))")
            XCTAssertTrue(job.stdout.contains("stopped at step"), job.stdout)
            let m = try SamplerModelFile.read(from: dir.appendingPathComponent(model).path)
            XCTAssertFalse(m.complete)
            XCTAssertGreaterThan(m.stepsDone, 0)
            XCTAssertLessThan(m.stepsDone, 3000)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(model + ".partial").path))
            // The model continues where the signal stopped it (here for two more steps).
            let (resumed, next) = try train(2, card: "w1.toml", in: dir, ["--output", model, "--resume", model, "--steps", "3000", "--stop-after", "2"])
            XCTAssertEqual(resumed.status, 85, resumed.output.suffix(2000).description)
            XCTAssertTrue(resumed.stdout.contains("resuming at step \(m.stepsDone)/3000"), resumed.stdout)
            XCTAssertEqual(next?.stepsDone, m.stepsDone + 2)
        }
    }

    func testNumericalFaultsInTrainingAreCountedByTheirSourceAndExcluded() throws {
        let dir = try NisgenProcess.scratch("train-faults", cards: ["w1.toml": NisgenProcess.card(jets: 1)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, model) = try train(2, card: "w1.toml", in: dir, ["--output", "m.h5", "--json", "m.json", "--inject-faults", "matrix_element:0.01"])
        XCTAssertEqual(r.status, 0, r.output.suffix(3000).description)
        XCTAssertTrue(r.stdout.contains("numerical faults in the training steps (points excluded):") && r.stdout.contains("from the matrix element"), r.stdout)
        let s = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("m.json"))) as? [String: Any])
        let faults = try XCTUnwrap(s["numerical_faults"] as? [String: Int])
        let calls = try XCTUnwrap(s["training_calls"] as? Int)
        let me = try XCTUnwrap(faults["matrix_element"])
        // Only points inside the cuts reach the matrix element: at most the injected 1 % of the training calls.
        let expected = 0.01 * Double(calls)
        XCTAssertGreaterThan(me, 0)
        XCTAssertLessThan(Double(me), expected + 5 * expected.squareRoot(), "\(me) faults in \(calls) calls")
        XCTAssertEqual(faults["pdf"], 0)
        XCTAssertEqual(faults.values.reduce(0, +), me)
        let m = try XCTUnwrap(model)
        XCTAssertTrue(m.crossSection.isFinite && m.crossSection > 0 && m.error.isFinite, "the excluded points leave a finite σ")
    }
}
