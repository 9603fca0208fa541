import XCTest
import Foundation
import Cluster
import EventIO
import Numerics
@testable import Report

/// Small HDF5 inputs written with the project's own writer, as the trainer and the generator will.
enum Fixture {
    static let eventColumns = ["pid", "nparticles", "start", "trials", "scale", "fscale", "rscale", "aqed", "aqcd", "weight"]
    static let particleColumns = ["id", "status", "mother1", "mother2", "color1", "color2", "px", "py", "pz", "e", "m", "lifetime", "spin"]

    static func massless(_ id: Int32, status: Int32 = 1, px: Double, py: Double, pz: Double) -> EventParticle {
        EventParticle(id: id, status: status, mother1: 1, mother2: 2, colour1: 0, colour2: 0,
                      px: px, py: py, pz: pz, e: (px * px + py * py + pz * pz).squareRoot(), m: 0)
    }

    /// Event 1: u d̄ → W⁺(→ e⁺ νₑ) + g + u + g, the partons out of pT order; event 2: W + one jet.
    static let jet1 = massless(21, px: 30, py: 40, pz: 0)                                   // pT 50, η 0
    static let jet2 = massless(2, px: -20 * cos(0.5), py: -20 * sin(0.5), pz: 20 * sinh(1))  // pT 20, η 1, φ 0.5 − π
    static let jet3 = massless(21, px: 0, py: 10, pz: 5)                                     // pT 10
    static let lepton = massless(-11, px: 25, py: 0, pz: 25 * sinh(-0.7))                    // pT 25, η −0.7
    static let neutrino = massless(12, px: -20, py: 15, pz: 10)                              // pT 25
    static var event1: [EventParticle] {
        let incoming = [massless(2, status: -1, px: 0, py: 0, pz: 300), massless(-1, status: -1, px: 0, py: 0, pz: -200)]
        var w = massless(24, status: 2, px: 5, py: 15, pz: 30)
        w.m = 80.4
        return incoming + [w, lepton, neutrino, jet3, jet1, jet2]
    }
    static var event2: [EventParticle] {
        [massless(2, status: -1, px: 0, py: 0, pz: 100), massless(-1, status: -1, px: 0, py: 0, pz: -100),
         massless(-13, px: 10, py: 0, pz: 0), massless(14, px: -10, py: 0, pz: 0), massless(21, px: 0, py: 60, pz: 0)]
    }

    static func row(_ p: EventParticle) -> [Double] {
        [Double(p.id), Double(p.status), Double(p.mother1), Double(p.mother2), Double(p.colour1), Double(p.colour2),
         p.px, p.py, p.pz, p.e, p.m, p.lifetime, p.spin]
    }

    static func writeEvents(_ path: String, _ events: [([EventParticle], Double)], startShift: Int = 0) throws {
        let f = try ParallelH5File(creating: path, comm: SerialCommunicator())
        try f.createDataset("events", columns: 10)
        try f.createDataset("particles", columns: 13)
        var ev: [Double] = [], pa: [Double] = []
        var start = 0
        for (particles, weight) in events {
            ev += [1, Double(particles.count), Double(start + startShift), 1, 91, 91, 91, -1, 0.118, weight]
            for p in particles { pa += row(p) }
            start += particles.count
        }
        try f.append("events", rows: ev)
        try f.append("particles", rows: pa)
        try f.setStringAttribute("properties", on: "events", values: eventColumns)
        try f.setStringAttribute("properties", on: "particles", values: particleColumns)
        try f.close()
    }

    /// A model file; `columns` may reorder the training_history columns (the attribute says which is which).
    static func writeModel(_ path: String, steps: Int = 60, columns: [String] = RunPlots.historyColumns,
                           weights: Bool = true, channels: Bool = true) throws {
        let f = try ParallelH5File(creating: path, comm: SerialCommunicator())
        if steps > 0 {
            try f.createDataset("training_history", columns: columns.count)
            var rows: [Double] = []
            for s in 0..<steps {
                let t = Double(s)
                let values: [String: Double] = ["step": 10 * t, "loss": 2 * exp(-t / 20) + 0.3, "cross_section": 1049.6 + 5 * sin(t),
                                                "error": 30 / (1 + t), "rel_std": 3 * exp(-t / 30) + 1, "efficiency": 0.3 - 0.2 * exp(-t / 15),
                                                "learning_rate": 1e-3 * (1 + cos(Double.pi * t / Double(steps)))]
                rows += columns.map { values[$0]! }
            }
            try f.append("training_history", rows: rows)
            try f.setStringAttribute("properties", on: "training_history", values: columns)
        }
        if weights {
            try f.createDataset("survey_weights_vegas", columns: 1)
            try f.createDataset("survey_weights_nis", columns: 1)
            try f.append("survey_weights_vegas", rows: (0..<2000).map { i in i % 50 == 0 ? 0 : exp(2 * sin(Double(i))) })
            try f.append("survey_weights_nis", rows: (0..<2000).map { i in exp(0.4 * sin(Double(i))) })
        }
        if channels {
            try f.createDataset("channel_integrals", columns: 1)
            try f.createDataset("channel_alpha_mean", columns: 1)
            try f.append("channel_integrals", rows: [500, 300, 200] as [Double])
            try f.append("channel_alpha_mean", rows: [0.4, 0.35, 0.25] as [Double])
        }
        try f.close()
    }
}

/// Each test gets a fresh folder, removed afterwards.
class TemporaryFolderTestCase: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nisgen-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

final class KinematicsTests: TemporaryFolderTestCase {

    func testObservablesEqualHandComputedValues() throws {
        let path = path("ev.h5")
        try Fixture.writeEvents(path, [(Fixture.event1, 0.7), (Fixture.event2, 0.3)])
        var seen: [(Double, EventObservables)] = []
        try LHEH5EventReader(path: path).forEachEvent(chunk: 1) { w, particles in
            seen.append((w, EventObservables(particles: particles)))
        }
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(seen[0].0, 0.7)
        let o = seen[0].1
        let tol = 1e-12
        XCTAssertEqual(o.leadingJetPT!, 50, accuracy: tol)
        XCTAssertEqual(o.secondJetPT!, 20, accuracy: tol)
        XCTAssertEqual(o.leadingJetEta!, 0, accuracy: tol)
        XCTAssertEqual(o.leptonPT!, 25, accuracy: tol)
        XCTAssertEqual(o.leptonEta!, -0.7, accuracy: tol)
        // mT² = 2 (pTℓ pTν − pℓ·pν) = 2 (625 + 500).
        XCTAssertEqual(o.transverseMass!, 2250.0.squareRoot(), accuracy: tol)
        // Massless: m² = 2 (E₁E₂ − p⃗₁·p⃗₂) = 2000 cosh 1 + 1200 cos 0.5 + 1600 sin 0.5.
        XCTAssertEqual(o.dijetMass!, (2000 * cosh(1) + 1200 * cos(0.5) + 1600 * sin(0.5)).squareRoot(), accuracy: tol)
        // Δφ folds across ±π: |Δφ| = π + 0.5 − atan(4/3); Δη = 1.
        let dphi = Double.pi + 0.5 - atan(4.0 / 3.0)
        XCTAssertEqual(o.dijetDeltaR!, (1 + dphi * dphi).squareRoot(), accuracy: tol)
        XCTAssertEqual(o.scalarHT, 80, accuracy: tol, "W (status 2), incoming and leptons are not jets")

        let one = seen[1].1
        XCTAssertEqual(one.leadingJetPT!, 60, accuracy: tol)
        XCTAssertNil(one.secondJetPT)
        XCTAssertNil(one.dijetMass)
        XCTAssertNil(one.dijetDeltaR)
        XCTAssertEqual(one.transverseMass!, 20, accuracy: tol, "back-to-back ℓν: mT = 2 √(pTℓ pTν)")
        XCTAssertEqual(one.leptonEta!, 0, accuracy: tol)
    }

    func testHistogramsAddUpToTheSumOfWeights() throws {
        let path = path("ev.h5")
        try Fixture.writeEvents(path, [(Fixture.event1, 0.7), (Fixture.event2, 0.3)])
        let h = try LHEH5EventReader(path: path).kinematicHistograms()
        XCTAssertEqual(h.events, 2)
        XCTAssertEqual(h.sumOfWeights, 1.0, accuracy: 1e-15)
        XCTAssertEqual(h.histograms["jet1_pt"]!.total, 1.0, accuracy: 1e-15)
        XCTAssertEqual(h.histograms["mjj"]!.total, 0.7, accuracy: 1e-15, "only the two-jet event has m_jj")
        // pT(j₁) = 50 lands in [50, 60) of 10-GeV bins, 60 in [60, 70).
        XCTAssertEqual(h.histograms["jet1_pt"]!.sums[5], 0.7)
        XCTAssertEqual(h.histograms["jet1_pt"]!.sums[6], 0.3)
    }

    func testMalformedEventFilesNameTheProblem() throws {
        let bad = path("bad.h5")
        try Fixture.writeEvents(bad, [(Fixture.event1, 1)], startShift: 5)
        XCTAssertThrowsError(try LHEH5EventReader(path: bad).kinematicHistograms()) {
            XCTAssertTrue("\($0)".contains("event 0 points at particle rows"), "\($0)")
        }
        let noParticles = path("np.h5")
        let f = try ParallelH5File(creating: noParticles, comm: SerialCommunicator())
        try f.createDataset("events", columns: 10)
        try f.close()
        XCTAssertThrowsError(try LHEH5EventReader(path: noParticles)) {
            XCTAssertEqual($0 as? ReportError, .malformed(path: noParticles, reason: "no dataset 'particles' — is it an LHEH5 event file?"))
        }
        let narrow = path("narrow.h5")
        let g = try ParallelH5File(creating: narrow, comm: SerialCommunicator())
        try g.createDataset("events", columns: 4)
        try g.createDataset("particles", columns: 13)
        try g.close()
        XCTAssertThrowsError(try LHEH5EventReader(path: narrow)) { XCTAssertTrue("\($0)".contains("has 4 columns"), "\($0)") }
    }
}

final class RunPlotsTests: TemporaryFolderTestCase {

    func testEveryInputGivesItsPlotsAndAnIndex() throws {
        try Fixture.writeModel(path("model.h5"))
        try Fixture.writeEvents(path("ev.h5"), [(Fixture.event1, 0.7), (Fixture.event2, 0.3)])
        try Fixture.writeEvents(path("w.h5"), [(Fixture.event2, 2.0), (Fixture.event1, 1.0), (Fixture.event1, 0.5)])
        let out = path("plots")
        let files = try RunPlots.write(model: path("model.h5"), events: path("ev.h5"), weightedEvents: path("w.h5"), to: out)
        let names = files.map(\.name)
        XCTAssertEqual(Array(names.prefix(7)), ["training_loss.svg", "training_cross_section.svg", "training_efficiency.svg",
                                                "training_rel_std.svg", "training_learning_rate.svg", "weights.svg", "channels.svg"])
        XCTAssertEqual(names.filter { $0.hasPrefix("kin_") }.count, KinematicObservable.all.count)
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        for f in files {
            let svg = try String(contentsOfFile: out + "/" + f.name, encoding: .utf8)
            let p = ParsedSVG(svg)
            XCTAssertNil(p.error, f.name)
            XCTAssertFalse(p.all("path", class: "series").isEmpty && p.all("g", class: "series").isEmpty, f.name)
            XCTAssertEqual(p.texts(class: "axis-title").count, 2, f.name)
            XCTAssertTrue(index.contains("<img src=\"\(f.name)\""), f.name)
        }
        // Kinematics: both samples overlaid, dσ/dX with units.
        let p = ParsedSVG(try String(contentsOfFile: out + "/kin_jet1_pt.svg", encoding: .utf8))
        XCTAssertEqual(p.all("path", class: "series").map { $0.attributes["data-series"]! },
                       ["unweighted events (2)", "weighted events (3)"])
        XCTAssertEqual(p.texts(class: "axis-title"), ["pT(j₁) [GeV]", "dσ/dpT(j₁) [pb/GeV]"])
        let sigma = ParsedSVG(try String(contentsOfFile: out + "/training_cross_section.svg", encoding: .utf8))
        XCTAssertEqual(sigma.all("path", class: "band").count, 1)
        XCTAssertEqual(sigma.texts(class: "axis-title"), ["training step", "σ estimate [pb]"])
        let w = ParsedSVG(try String(contentsOfFile: out + "/weights.svg", encoding: .utf8))
        XCTAssertEqual(w.all("g", class: "legend-entry").map { $0.attributes["data-series"]! },
                       ["VEGAS (2,000 points)", "NIS (2,000 points)"])
        XCTAssertTrue(files.first { $0.name == "weights.svg" }!.caption.contains("VEGAS: 2,000 points, 40 with zero weight"))
    }

    func testHistoryColumnsAreFoundByName() throws {
        let shuffled = ["learning_rate", "step", "efficiency", "loss", "rel_std", "error", "cross_section"]
        try Fixture.writeModel(path("m.h5"), steps: 5, columns: shuffled, weights: false, channels: false)
        let rows = try RunPlots.readTrainingHistory(H5Reader(path: path("m.h5")))!
        XCTAssertEqual(rows.map(\.step), [0, 10, 20, 30, 40])
        XCTAssertEqual(rows[1].loss, 2 * exp(-1.0 / 20) + 0.3)
        XCTAssertEqual(rows[2].integral, 1049.6 + 5 * sin(2.0))
        XCTAssertEqual(rows[3].error, 30.0 / 4)
        XCTAssertEqual(rows[4].efficiency, 0.3 - 0.2 * exp(-4.0 / 15))
        XCTAssertEqual(rows[0].learningRate, 2e-3)
        XCTAssertEqual(rows[0].relativeStdDev, 4)
    }

    func testOnlyWhatTheModelHoldsIsPlotted() throws {
        try Fixture.writeModel(path("m.h5"), steps: 0, weights: false, channels: true)
        let files = try RunPlots.write(model: path("m.h5"), events: nil, weightedEvents: nil, to: path("out"))
        XCTAssertEqual(files.map(\.name), ["channels.svg"])
    }

    func testErrorsForMissingCorruptOrEmptyInputs() throws {
        XCTAssertThrowsError(try RunPlots.write(model: path("nope.h5"), events: nil, weightedEvents: nil, to: path("o"))) {
            XCTAssertEqual("\($0)", "model file '\(path("nope.h5"))' does not exist")
        }
        try "not an HDF5 file".write(toFile: path("text.h5"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunPlots.write(model: nil, events: path("text.h5"), weightedEvents: nil, to: path("o"))) {
            XCTAssertEqual($0 as? ReportError, .unreadable(path: path("text.h5"), what: "event file"))
        }
        let empty = try ParallelH5File(creating: path("empty.h5"), comm: SerialCommunicator())
        try empty.createDataset("something_else", columns: 1)
        try empty.close()
        XCTAssertThrowsError(try RunPlots.write(model: path("empty.h5"), events: nil, weightedEvents: nil, to: path("o"))) {
            XCTAssertEqual($0 as? ReportError, .nothingToPlot(path: path("empty.h5"), expected: RunPlots.modelDatasets))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o")), "nothing is written when an input is bad")
        try Fixture.writeModel(path("short.h5"), steps: 3, columns: ["step", "loss"], weights: false, channels: false)
        XCTAssertThrowsError(try RunPlots.write(model: path("short.h5"), events: nil, weightedEvents: nil, to: path("o"))) {
            XCTAssertTrue("\($0)".contains("training_history has no column 'cross_section'"), "\($0)")
        }
    }
}
