// Integrity of event files: every file carries the run's provenance (card and model hashes, seed, event count,
// σ, complete), and `nisgen inspect --verify` passes an intact file but fails, naming the problem, on copies
// damaged on purpose with h5py (corrupt_events.py) in each of many distinct ways.
import XCTest
import Foundation
import EventIO
import Integrator

final class EventFileIntegrityTests: XCTestCase {
    /// One valid 2-rank file from the shared W + 1 jet model, written once for the tests of this class.
    static let valid: String = {
        let r = try! NisgenProcess.run(ranks: 2, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--events", "200",
                                                  "--output", "integrity.h5", "--seed", "31", "--quiet"],
                                       in: GenerationEngineTests.shared)
        precondition(r.status == 0, "generating the file to corrupt failed: \(r.output.suffix(3000))")
        return "integrity.h5"
    }()

    var dir: URL { GenerationEngineTests.shared }

    func verify(_ file: String) throws -> NisgenProcess.Result {
        let r = try NisgenProcess.run(ranks: nil, ["inspect", file, "--verify"], in: dir, timeout: 120)
        XCTAssertFalse(r.timedOut, "inspect --verify \(file) hung")
        return r
    }

    func testEveryFileCarriesTheRunsProvenance() throws {
        let file = try LHEH5File(path: dir.appendingPathComponent(Self.valid).path)
        let model = try SamplerModelFile.read(from: dir.appendingPathComponent("w1.h5").path)
        XCTAssertEqual(file.run.cardHash, model.cardHash, "the card hash of the run (the model's, checked by generate)")
        XCTAssertEqual(file.run.modelHash, model.fingerprint)
        XCTAssertEqual(file.run.seed, 31)
        XCTAssertEqual(file.totals.events, 200)
        XCTAssertEqual(file.eventCount, 200)
        XCTAssertGreaterThan(file.totals.crossSection, 0)
        XCTAssertGreaterThan(file.totals.error, 0)
        XCTAssertGreaterThanOrEqual(file.totals.trials, 200)
        XCTAssertFalse(file.run.cardText.isEmpty, "the card text travels with the events")
        // The attributes under their names, as other readers see them.
        let h5 = try H5Reader(path: dir.appendingPathComponent(Self.valid).path)
        for name in ["cardHash", "modelHash", "seed", "eventCount", "trialCount", "crossSection", "crossSectionError",
                     "unitWeight", "cardText", "complete"] {
            XCTAssertTrue(h5.hasAttribute(name), "attribute \(name) missing")
        }
        XCTAssertEqual(try h5.int64Attribute("complete"), 1)
    }

    func testVerifyPassesTheIntactFileAndNamesEachDeliberateCorruption() throws {
        let intact = try verify(Self.valid)
        XCTAssertEqual(intact.status, 0, intact.output.suffix(3000).description)
        XCTAssertTrue(intact.stdout.contains("verified"), intact.stdout)
        // Damage → what the verifier's message must say.
        let cases: [(kind: String, expect: [String])] = [
            ("momentum", ["event 3: momentum not conserved"]),
            ("energy", ["event 6:", "off shell"]),
            ("nan-weight", ["event 5: NaN"]),
            ("weight", ["event weights add up to"]),
            ("colour", ["event 2:", "colour"]),
            ("mass", ["event 4:", "mass column m = 0.5"]),
            ("process-id", ["event 1: process id 99"]),
            ("proc-xsection", ["procInfo cross sections add up to"]),
            ("event-count", ["eventCount says 201, the file holds 200 events"]),
            ("trial-count", ["trials add up to"]),
            ("cross-section", ["event weights add up to", "procInfo cross sections add up to"]),
            ("card", ["does not match", "cardHash", "fails the run card's cuts"]),
            ("no-complete", ["incomplete"]),
            ("no-model-hash", ["modelHash"]),
        ]
        for c in cases {
            let damaged = "corrupt-\(c.kind).h5"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: NisgenProcess.python)
            p.arguments = [NisgenProcess.repository.appendingPathComponent("Tests/EngineTests/corrupt_events.py").path,
                           Self.valid, damaged, c.kind]
            let change = try NisgenProcess.launch(p, in: dir, timeout: 60)
            XCTAssertEqual(change.status, 0, "corrupting (\(c.kind)) failed: \(change.output.suffix(2000))")
            let r = try verify(damaged)
            XCTAssertNotEqual(r.status, 0, "\(c.kind): verify passed a damaged file (\(change.stdout)): \(r.stdout.suffix(1500))")
            for phrase in c.expect {
                XCTAssertTrue(r.output.contains(phrase), "\(c.kind): the verifier does not say '\(phrase)': \(r.output.suffix(1500))")
            }
            XCTAssertFalse(r.output.contains("Program crashed") || r.output.contains("Fatal error"), "\(c.kind): crashed")
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(damaged))
        }
    }
}
