import XCTest
import EventIO
import Foundation

/// LHEH5 files written collectively by 1, 2 and 4 ranks under real mpirun (MPIProbe `lheh5`), read back by
/// h5py, pylhe and our own reader; LHE conversion read by pylhe and showered by Pythia 8.
final class LHEH5SinkMPITests: FolderTestCase {
    func testFilesFromOneTwoAndFourRanksReadBackExactly() throws {
        let layout: [String: [String]] = [
            "version": ["major", "minor", "patch"],
            "init": ["beamA", "beamB", "energyA", "energyB", "PDFgroupA", "PDFgroupB", "PDFsetA", "PDFsetB", "weightingStrategy", "numProcesses"],
            "procInfo": ["procId", "npLO", "npNLO", "xSection", "error", "unitWeight"],
            "events": ["pid", "nparticles", "start", "trials", "scale", "fscale", "rscale", "aqed", "aqcd", "weight"],
            "particles": ["id", "status", "mother1", "mother2", "color1", "color2", "px", "py", "pz", "e", "m", "lifetime", "spin"],
        ]
        for counts in [[57], [0, 61], [40, 0, 25, 37]] {
            let file = try probeFile("run\(counts.count).h5", counts: counts)
            XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".partial"))
            let total = counts.reduce(0, +)
            let h5 = try ExternalTools.pythonJSON(ClientScripts.h5pyInspect, [file])
            XCTAssertEqual(h5["columns"] as? [String: [String]], layout, "\(counts.count) ranks")
            XCTAssertEqual(h5.number("events"), Double(total))
            XCTAssertEqual(h5.number("particleRows"), Double(5 * total))
            XCTAssertEqual(h5["shapes"] as? [String: [Int]], ["version": [3], "init": [10], "procInfo": [2, 6],
                                                              "events": [total, 10], "particles": [5 * total, 13]])
            XCTAssertEqual(h5.number("eventChunk"), 4096)
            XCTAssertEqual(h5["startsOK"] as? Bool, true)
            XCTAssertEqual(h5["paddingOK"] as? Bool, true)
            XCTAssertEqual(h5["legsOK"] as? Bool, true)
            XCTAssertLessThan(h5.number("maxMomentumImbalance"), 1e-9)
            XCTAssertEqual(h5.number("weightSum"), 1234.5, accuracy: 1e-9)
            XCTAssertEqual(h5.number("crossSection"), 1234.5)
            XCTAssertEqual(h5.number("crossSectionError"), 12.5)
            XCTAssertEqual(h5.number("eventCount"), Double(total))
            XCTAssertEqual(h5.number("trialCount"), h5.number("trialSum"))
            XCTAssertEqual(h5.number("complete"), 1)
            // Unweighted: two weights only, σ/Σrel and 1.25 × that for the overweight events.
            XCTAssertEqual(h5.number("distinctWeights"), 2)
            XCTAssertEqual(h5.number("minWeight"), h5.number("unitWeight"), accuracy: 1e-12)
            XCTAssertEqual(h5["version"] as? [Int], [2, 0, 1])
            XCTAssertEqual(h5["init"] as? [Double], [2212, 2212, 6500, 6500, 0, 0, 247000, 247000, 3, 2])
            let proc = h5["procInfo"] as? [[Double]] ?? []
            XCTAssertEqual(proc.map { Array($0.prefix(3)) }, [[1, 5, -1], [2, 4, -1]])
            XCTAssertEqual(proc.map { $0[3] }.reduce(0, +), 1234.5, accuracy: 1e-9)
            XCTAssertEqual(h5["cardHash"] as? String, "card-abc")
            XCTAssertEqual(h5["cardText"] as? String, "[process]\nname = \"synthetic\" -- probe\nseed = 7\n")

            let viaPylhe = try ExternalTools.pythonJSON(ClientScripts.pylheSummary, [file])
            XCTAssertEqual(viaPylhe.number("events"), Double(total))
            XCTAssertEqual(viaPylhe.number("weightSum"), 1234.5, accuracy: 1e-9)
            XCTAssertEqual(viaPylhe.number("particles"), viaPylhe.number("declaredParticles"))
            XCTAssertEqual(viaPylhe.number("weightingStrategy"), 3)
            XCTAssertEqual(viaPylhe.number("xsecSum"), 1234.5, accuracy: 1e-9)

            let ours = try LHEH5File(path: file)
            XCTAssertEqual(ours.eventCount, total)
            XCTAssertEqual(ours.totals.crossSection, 1234.5)
            XCTAssertEqual(Double(ours.totals.trials), h5.number("trialSum"))
            XCTAssertEqual(ours.run.processes.map(\.name), ["u d~ > W+ > e+ ve", "u g > u g"])
            let events = try ours.chunks(of: 16).flatMap { try ours.events($0) }
            XCTAssertEqual(events.count, total)
            XCTAssertEqual(events.map(\.relativeWeight).reduce(0, +), 1234.5, accuracy: 1e-9)
            XCTAssertEqual(events.map { $0.particles.count }.reduce(0, +), Int(viaPylhe.number("particles")))
        }
    }

    func testLHEConversionIsReadByPylheAndShoweredByPythia() throws {
        for weighted in [false, true] {
            let file = try probeFile("pythia-\(weighted).h5", counts: [70, 45], ["--sigma", "850.0", "--error", "9.0"] + (weighted ? ["--weighted"] : []))
            let lhe = path("pythia-\(weighted).lhe")
            let source = try LHEH5File(path: file)
            try LHEWriter.convert(source, to: lhe, chunkEvents: 32)
            XCTAssertFalse(FileManager.default.fileExists(atPath: lhe + ".partial"))
            XCTAssertThrowsError(try LHEWriter.convert(source, to: lhe)) {
                XCTAssertEqual($0 as? EventFileError, .outputExists(path: lhe))
            }

            let viaPylhe = try ExternalTools.pythonJSON(ClientScripts.pylheSummary, [lhe])
            XCTAssertEqual(viaPylhe.number("events"), 115)
            XCTAssertEqual(viaPylhe.number("weightingStrategy"), weighted ? 4 : 3)
            XCTAssertEqual(viaPylhe.number("numProcesses"), 2)
            XCTAssertEqual(viaPylhe["procIds"] as? [Int], [1, 2])
            XCTAssertEqual(viaPylhe.number("xsecSum"), 850, accuracy: 850 * 1e-9)
            XCTAssertEqual(viaPylhe["beams"] as? [Int], [2212, 2212])
            XCTAssertEqual(viaPylhe.number("pdf"), 247000)
            XCTAssertLessThan(viaPylhe.number("maxMomentumImbalance"), 1e-6)
            // Unweighted: Σ XWGTUP = σ; weighted (IDWTUP 4): σ = mean XWGTUP.
            XCTAssertEqual(viaPylhe.number("weightSum") / (weighted ? 115 : 1), 850, accuracy: 850 * 1e-9)

            let outcome = try ExternalTools.run([ExternalTools.python, "-c", ClientScripts.pythiaShower, lhe])
            XCTAssertEqual(outcome.status, 0, outcome.output)
            let shower = try ExternalTools.json(from: outcome)
            // Pythia's only message must be the normal end of the file.
            let messages = outcome.output.components(separatedBy: "PYTHIA Error and Warning Messages Statistics").dropFirst().first ?? ""
            let counted = messages.split(separator: "\n").filter { $0.range(of: #"^ \|\s+\d+\s+\S"#, options: .regularExpression) != nil }
            XCTAssertEqual(counted.count, 1, messages)
            XCTAssert(counted.first?.contains("reached end of Les Houches Events File") == true, messages)
            XCTAssertEqual(shower["init"] as? Bool, true)
            XCTAssertEqual(shower.number("failed"), 0)
            XCTAssertEqual(shower.number("accepted"), 115)
            XCTAssertEqual(shower.number("showered"), 115, "every event gains shower partons")
            XCTAssertEqual(shower.number("sigmaPb"), 850, accuracy: 9, "Pythia's σ within the file's error (weighted: \(weighted))")
        }
    }

    func testAbandonedSinkLeavesNoFileOnAnyRank() throws {
        let file = path("abandoned.h5")
        let outcome = try ExternalTools.probe(ranks: 3, ["lheh5", file, "20,0,7", "--abandon"])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        XCTAssertEqual(outcome.rankLines.values.filter { $0.hasSuffix("abandoned") }.count, 3, outcome.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file))
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".partial"))
    }

    func testUnwritableOutputIsNamedOnEveryRank() throws {
        let file = path("missing/folder/run.h5")
        let outcome = try ExternalTools.probe(ranks: 2, ["lheh5", file, "5,5"])
        XCTAssertNotEqual(outcome.status, 0)
        for r in 0..<2 {
            XCTAssert(outcome.rankLines[r]?.contains("cannot create HDF5 file '\(file)'") == true, outcome.output)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: file + ".partial"))
    }
}
