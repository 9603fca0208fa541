import XCTest
import Cluster
import EventIO
import Foundation

/// `combine` on files from real mpirun jobs: the trial-weighted σ and δσ, one normalisation, refusals.
final class CombineTests: FolderTestCase {
    func testTwoJobsCombineTrialWeightedIntoOneNormalisation() throws {
        let a = try probeFile("a.h5", counts: [30], ["--seed", "1", "--sigma", "100", "--error", "2"])
        let b = try probeFile("b.h5", counts: [50, 20], ["--seed", "2", "--sigma", "110", "--error", "3"])
        let (ta, tb) = (try LHEH5File(path: a).totals, try LHEH5File(path: b).totals)
        let (na, nb) = (Double(ta.trials), Double(tb.trials))
        let sigma = (na * 100 + nb * 110) / (na + nb)
        let error = (na * na * 4 + nb * nb * 9).squareRoot() / (na + nb)
        XCTAssert(sigma > 100 && sigma < 110 && na != nb, "σ = \(sigma) from trials \(na), \(nb)")

        let output = path("all.h5"), lhe = path("all.lhe")
        let totals = try EventFileCombiner.combine(inputs: [a, b], output: output, lhe: lhe, chunkEvents: 16)
        XCTAssertEqual(totals.crossSection, sigma, accuracy: 1e-12 * sigma)
        XCTAssertEqual(totals.error, error, accuracy: 1e-12 * error)
        XCTAssertEqual(totals.events, 100)
        XCTAssertEqual(totals.trials, ta.trials + tb.trials)
        for p in 0..<2 {
            let expected = (na * ta.processCrossSections[p] + nb * tb.processCrossSections[p]) / (na + nb)
            XCTAssertEqual(totals.processCrossSections[p], expected, accuracy: 1e-12 * expected)
        }
        XCTAssertFalse(exists(output + ".partial"))
        XCTAssertFalse(exists(lhe + ".partial"))

        let h5 = try ExternalTools.pythonJSON(ClientScripts.h5pyInspect, [output])
        XCTAssertEqual(h5.number("crossSection"), sigma, accuracy: 1e-12 * sigma)
        XCTAssertEqual(h5.number("crossSectionError"), error, accuracy: 1e-12 * error)
        XCTAssertEqual(h5.number("weightSum"), sigma, accuracy: 1e-9 * sigma)
        XCTAssertEqual(h5.number("events"), 100)
        XCTAssertEqual(h5.number("trialSum"), na + nb)
        XCTAssertEqual(h5.number("trialCount"), na + nb)
        XCTAssertEqual(h5["startsOK"] as? Bool, true)
        XCTAssertLessThan(h5.number("maxMomentumImbalance"), 1e-9)
        XCTAssertEqual(h5["seeds"] as? String, "1,2")
        XCTAssert((h5["weightRescaling"] as? String)?.contains("sigma/sigma_j * E_j/E") == true)

        // Each job keeps the share E_j/E of the combined σ.
        let combined = try LHEH5File(path: output)
        XCTAssertEqual(try combined.events(0..<30).map(\.relativeWeight).reduce(0, +), sigma * 0.3, accuracy: 1e-9 * sigma)
        XCTAssertEqual(try combined.events(30..<100).map(\.relativeWeight).reduce(0, +), sigma * 0.7, accuracy: 1e-9 * sigma)

        let viaPylhe = try ExternalTools.pythonJSON(ClientScripts.pylheSummary, [lhe])
        XCTAssertEqual(viaPylhe.number("events"), 100)
        XCTAssertEqual(viaPylhe.number("weightSum"), sigma, accuracy: 1e-8 * sigma)
        XCTAssertEqual(viaPylhe.number("xsecSum"), sigma, accuracy: 1e-8 * sigma)
    }

    func testMismatchedIncompleteRepeatedAndExistingFilesAreRefusedByName() throws {
        let a = try probeFile("a.h5", counts: [12], ["--seed", "1"])
        let otherCard = try probeFile("card.h5", counts: [8], ["--seed", "3", "--card-hash", "card-xyz"])
        let weighted = try probeFile("weighted.h5", counts: [8], ["--seed", "4", "--weighted"])
        let sameSeed = try probeFile("again.h5", counts: [8], ["--seed", "1"])
        let out = path("out.h5")

        func refusal(_ inputs: [String], output: String? = nil) -> String {
            do {
                try EventFileCombiner.combine(inputs: inputs, output: output ?? out)
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal([a, otherCard]),
                       "event file '\(otherCard)' has a different card hash than '\(a)': expected card-abc, found card-xyz")
        XCTAssert(refusal([a, weighted]).hasPrefix("event file '\(weighted)' has a different weighting"), refusal([a, weighted]))
        XCTAssert(refusal([a, sameSeed]).contains("'\(sameSeed)' has a different seed than '\(a)'"), refusal([a, sameSeed]))

        // A job that never finished: only its .partial exists, and that lacks the `complete` mark.
        let unfinished = path("unfinished.h5")
        let strip = "import sys, shutil, h5py\nshutil.copy(sys.argv[1], sys.argv[2])\nwith h5py.File(sys.argv[2], 'a') as f: del f.attrs['complete']\nprint('JSON {}')"
        _ = try ExternalTools.pythonJSON(strip, [a, unfinished + ".partial"])
        XCTAssertEqual(refusal([a, unfinished]), "event file '\(unfinished).partial' is incomplete (an unfinished or failed run)")
        XCTAssertEqual(refusal([a, unfinished + ".partial"]), "event file '\(unfinished).partial' is incomplete (an unfinished or failed run)")
        XCTAssertEqual(refusal([a, path("nothing.h5")]), "event file '\(path("nothing.h5"))' does not exist")
        XCTAssertEqual(refusal([otherCard], output: a), "output '\(a)' already exists: refusing to overwrite it")
        XCTAssertFalse(exists(out))
        XCTAssertFalse(exists(out + ".partial"))
    }

    func testDifferentProcessListsAreRefused() throws {
        let gluons = path("gluons.h5"), quarks = path("quarks.h5")
        for (file, processes, seed) in [(gluons, LHEH5SinkSerialTests.gluons, UInt64(1)),
                                        (quarks, [EventProcess(name: "u u~ > g g", legs: 4)], UInt64(2))] {
            let sink = try LHEH5Sink(path: file, run: LHEH5SinkSerialTests.runInfo(processes: processes, seed: seed),
                                     particlesPerEvent: 4, comm: SerialCommunicator())
            try sink.write([LHEH5SinkSerialTests.gluonEvent(energy: 60)])
            try sink.finish(LHEH5SinkSerialTests.totals(events: 1))
        }
        XCTAssertThrowsError(try EventFileCombiner.combine(inputs: [gluons, quarks], output: path("out.h5"))) {
            XCTAssertEqual($0 as? EventFileError, .mismatch(path: quarks, what: "process list than '\(gluons)'",
                                                           expected: "g g > g g (4 legs)", found: "u u~ > g g (4 legs)"))
        }
    }

    func testCombinationFormulaOnKnownNumbers() {
        // N = 1, 3: σ = (10 + 3·20)/4 = 17.5, δσ = √(1·1 + 9·4)/4 = √37/4.
        let r = EventFileCombiner.combine([(10, 1, 1), (20, 2, 3)])
        XCTAssertEqual(r.value, 17.5)
        XCTAssertEqual(r.error, 37.0.squareRoot() / 4, accuracy: 1e-15)
    }
}
