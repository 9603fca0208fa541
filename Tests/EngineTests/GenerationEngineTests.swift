// `nisgen generate` and `combine` under real mpirun, checked by the clients users run: h5py (layout and the
// physics of every event), pylhe, Pythia 8 (showering); statistics: unweighted events follow the weighted
// sample, σ agrees with training, two jobs combine to ~1/√2 of one job's error (bad input: BadInputTableTests).
import XCTest
import Foundation
import Integrator

final class GenerationEngineTests: XCTestCase {
    /// One small W + 1 jet model shared by the tests of this class (trained once, 2 ranks).
    static let shared: URL = {
        let dir = try! NisgenProcess.scratch("gen", cards: ["w1.toml": NisgenProcess.card(jets: 1),
                                                            "w2.toml": NisgenProcess.card(jets: 2)])
        let r = try! NisgenProcess.run(ranks: 2, ["train", "--card", "w1.toml", "--output", "w1.h5", "--progress-interval", "0"], in: dir)
        precondition(r.status == 0, "training the shared model failed: \(r.output.suffix(3000))")
        return dir
    }()

    /// A W + 2 jets model beside it (trained once, 2 ranks), for a second process.
    static let sharedW2: Void = {
        let r = try! NisgenProcess.run(ranks: 2, ["train", "--card", "w2.toml", "--output", "w2.h5", "--progress-interval", "0"], in: shared)
        precondition(r.status == 0, "training the W + 2 jets model failed: \(r.output.suffix(3000))")
    }()

    func generate(_ ranks: Int?, _ arguments: [String], card: String = "w1.toml", model: String = "w1.h5",
                  in dir: URL = shared) throws -> NisgenProcess.Result {
        let r = try NisgenProcess.run(ranks: ranks, ["generate", "--card", card, "--model", model, "--quiet"] + arguments, in: dir)
        XCTAssertFalse(r.timedOut, "generate hung: \(r.output.suffix(3000))")
        return r
    }

    func check(_ file: String, in dir: URL = shared) throws -> [String: Any] {
        let r = try NisgenProcess.python(["lheh5", file], in: dir)
        XCTAssertEqual(r.status, 0, r.output.suffix(3000).description)
        return try NisgenProcess.json(r)
    }

    func summary(_ file: String, in dir: URL = shared) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent(file))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func pull(_ a: Double, _ da: Double, _ b: Double, _ db: Double) -> Double { (a - b) / (da * da + db * db).squareRoot() }

    func testTwoRanksWriteOneValidFileThatPylheAndPythiaRead() throws {
        let dir = Self.shared
        // W + 2 jets, trained on 2 ranks, generated on 3 (a rank count unlike training), LHE on request.
        _ = Self.sharedW2
        let r = try generate(3, ["--events", "150", "--output", "w2-events.h5", "--lhe", "w2-events.lhe", "--seed", "11"],
                             card: "w2.toml", model: "w2.h5")
        XCTAssertEqual(r.status, 0, r.output.suffix(3000).description)
        let c = try check("w2-events.h5")
        XCTAssertEqual(c["events"] as? Int, 150, "exactly the requested events, summed over ranks")
        XCTAssertEqual(c["problem_count"] as? Int, 0, "\(c["problems"] ?? "")")
        XCTAssertEqual(c["version"] as? [Int], [2, 0, 1])
        XCTAssertEqual(c["event_columns"] as? [String], ["pid", "nparticles", "start", "trials", "scale", "fscale", "rscale", "aqed", "aqcd", "weight"])
        XCTAssertEqual(c["particle_columns"] as? [String], ["id", "status", "mother1", "mother2", "color1", "color2", "px", "py", "pz", "e", "m", "lifetime", "spin"])
        XCTAssertEqual(c["stride"] as? Int, 7, "2 incoming + W + 2 leptons + 2 partons")
        let attrs = try XCTUnwrap(c["attrs"] as? [String: Any])
        let sigma = try XCTUnwrap(attrs["crossSection"] as? Double), error = try XCTUnwrap(attrs["crossSectionError"] as? Double)
        XCTAssertEqual(try XCTUnwrap(c["weight_sum"] as? Double), sigma, accuracy: 1e-9 * sigma, "stored weights add up to σ")
        XCTAssertEqual(try XCTUnwrap(c["proc_xsec_sum"] as? Double), sigma, accuracy: 1e-9 * sigma, "procInfo σ add up to the total")
        XCTAssertEqual(attrs["seed"] as? Int, 11)
        XCTAssertNotNil(attrs["cardHash"]); XCTAssertNotNil(attrs["modelHash"])
        XCTAssertEqual((c["init"] as? [Double])?.prefix(4).map { $0 }, [2212, 2212, 6500, 6500])
        // σ from generation agrees with the training's measurement.
        let m = try SamplerModelFile.read(from: dir.appendingPathComponent("w2.h5").path)
        XCTAssertLessThan(abs(pull(sigma, error, m.crossSection, m.error)), 3, "generate \(sigma) ± \(error), train \(m.crossSection) ± \(m.error)")
        let s = try summary("w2-events.json")
        XCTAssertEqual(s["events"] as? Int, 150)
        XCTAssertEqual(s["ranks"] as? Int, 3)
        XCTAssertEqual((s["rank_seconds"] as? [Double])?.count, 3)
        XCTAssertEqual(s["lost_events"] as? Int, 0)
        XCTAssertEqual(s["cross_section_pb"] as? Double, sigma)
        // pylhe reads both files; Pythia 8 showers every event and reports the file's σ.
        for file in ["w2-events.lhe", "w2-events.h5"] {
            let p = try NisgenProcess.json(try NisgenProcess.python([file.hasSuffix(".lhe") ? "pylhe" : "pylhe5", file], in: dir))
            XCTAssertEqual(p["events"] as? Int, 150, file)
            XCTAssertEqual(try XCTUnwrap(p["weight_sum"] as? Double), sigma, accuracy: 1e-6 * sigma, file)
        }
        let py = try NisgenProcess.json(try NisgenProcess.python(["pythia", "w2-events.lhe", "150"], in: dir))
        XCTAssertEqual(py["init"] as? Bool, true)
        XCTAssertEqual(py["showered"] as? Int, 150, "every event showers: \(py)")
        XCTAssertEqual(py["failed"] as? Int, 0)
        let sp = try XCTUnwrap(py["sigma_pb"] as? Double), spe = try XCTUnwrap(py["sigma_err_pb"] as? Double)
        XCTAssertLessThan(abs(sp - sigma), max(spe, 1e-6 * sigma), "Pythia σ \(sp) ± \(spe), file \(sigma)")
    }

    func testUnweightedEventsFollowTheWeightedSampleAndSigmaAgrees() throws {
        let dir = Self.shared
        let u = try generate(2, ["--events", "3000", "--output", "unw.h5", "--seed", "1"])
        XCTAssertEqual(u.status, 0, u.output.suffix(2000).description)
        let w = try generate(2, ["--events", "3000", "--output", "wtd.h5", "--seed", "2", "--weighted"])
        XCTAssertEqual(w.status, 0, w.output.suffix(2000).description)
        let cu = try check("unw.h5"), cw = try check("wtd.h5")
        XCTAssertEqual(cu["problem_count"] as? Int, 0, "\(cu["problems"] ?? "")")
        XCTAssertEqual(cw["problem_count"] as? Int, 0, "\(cw["problems"] ?? "")")
        XCTAssertEqual((cw["init"] as? [Double])?[8], 1, "weighted files say weightingStrategy 1")
        let h = try NisgenProcess.json(try NisgenProcess.python(["hist", "unw.h5", "wtd.h5"], in: dir))
        // 6 normalised bins: 5 degrees of freedom; 20.5 is the 99.9 % quantile.
        let chi2 = try XCTUnwrap(h["chi2"] as? Double)
        XCTAssertLessThan(chi2, 20.5, "leading-jet pT: unweighted \(h["unweighted"] ?? "") vs weighted \(h["weighted"] ?? "")")
        let su = try summary("unw.json"), sw = try summary("wtd.json")
        let m = try SamplerModelFile.read(from: dir.appendingPathComponent("w1.h5").path)
        let (a, da) = (su["cross_section_pb"] as! Double, su["error_pb"] as! Double)
        let (b, db) = (sw["cross_section_pb"] as! Double, sw["error_pb"] as! Double)
        XCTAssertLessThan(abs(pull(a, da, m.crossSection, m.error)), 3, "unweighted \(a) ± \(da), training \(m.crossSection) ± \(m.error)")
        XCTAssertLessThan(abs(pull(a, da, b, db)), 3, "unweighted \(a) ± \(da), weighted \(b) ± \(db)")
        // Unweighted: efficiency = events / trials, and the overweight events carry little of σ.
        let eff = su["efficiency"] as! Double
        XCTAssertEqual(eff, Double(su["events"] as! Int) / Double(su["trials"] as! Int), accuracy: 1e-12)
        XCTAssertLessThan(su["overweight_share"] as! Double, 0.05)
    }

    func testTwoJobsCombineToOneCrossSection() throws {
        let dir = Self.shared
        for seed in [21, 22] {
            let r = try generate(nil, ["--events", "600", "--output", "job\(seed).h5", "--seed", "\(seed)"])
            XCTAssertEqual(r.status, 0, r.output.suffix(2000).description)
        }
        let r = try NisgenProcess.run(ranks: nil, ["combine", "--output", "all.h5", "job21.h5", "job22.h5"], in: dir)
        XCTAssertEqual(r.status, 0, r.output.suffix(2000).description)
        let a = try check("job21.h5"), b = try check("job22.h5"), c = try check("all.h5")
        XCTAssertEqual(c["events"] as? Int, 1200)
        XCTAssertEqual(c["problem_count"] as? Int, 0)
        func sigma(_ x: [String: Any]) -> (Double, Double) {
            let at = x["attrs"] as! [String: Any]
            return (at["crossSection"] as! Double, at["crossSectionError"] as! Double)
        }
        let (sa, ea) = sigma(a), (sb, eb) = sigma(b), (sc, ec) = sigma(c)
        XCTAssertEqual(try XCTUnwrap(c["weight_sum"] as? Double), sc, accuracy: 1e-9 * sc, "one normalisation: weights add up to the combined σ")
        XCTAssertLessThan(abs(pull(sa, ea, sb, eb)), 3)
        XCTAssertLessThan(abs(sc - sa) / ea, 3); XCTAssertLessThan(abs(sc - sb) / eb, 3)
        let ratio = ec / ((ea + eb) / 2)
        XCTAssertGreaterThan(ratio, 0.55); XCTAssertLessThan(ratio, 0.85, "combined error should be ~1/√2 of one job's: \(ec) vs \(ea), \(eb)")
        // A job of another process is refused with a message naming the file.
        _ = Self.sharedW2
        let o = try generate(nil, ["--events", "20", "--output", "w2-other.h5", "--seed", "23"], card: "w2.toml", model: "w2.h5")
        XCTAssertEqual(o.status, 0, o.output.suffix(2000).description)
        let t = try NisgenProcess.run(ranks: nil, ["combine", "--output", "bad.h5", "job21.h5", "w2-other.h5"], in: dir)
        XCTAssertNotEqual(t.status, 0)
        XCTAssertTrue(t.stderr.contains("w2-other.h5"), t.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.h5").path))
    }
}
