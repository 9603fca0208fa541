import XCTest
import Cluster
import EventIO
import Foundation

/// The sink, reader and HDF5 extensions on one rank (SerialCommunicator): validation, failure paths, attributes.
final class LHEH5SinkSerialTests: FolderTestCase {
    static let gluons = [EventProcess(name: "g g > g g", legs: 4)]

    /// g g > g g with both gluons at 90° along ±x: momentum conserved, colours 501–504 flowing through.
    static func gluonEvent(energy: Double, weight: Double = 1) -> EventRecord {
        func g(_ status: Int32, _ c: (Int32, Int32), _ p: (Double, Double, Double)) -> EventParticle {
            EventParticle(id: 21, status: status, mother1: status == 1 ? 1 : 0, mother2: status == 1 ? 2 : 0,
                          colour1: c.0, colour2: c.1, px: p.0, py: p.1, pz: p.2, e: energy, m: 0)
        }
        return EventRecord(processID: 1, particles: [g(-1, (501, 502), (0, 0, energy)), g(-1, (503, 501), (0, 0, -energy)),
                                                     g(1, (503, 504), (energy, 0, 0)), g(1, (504, 502), (-energy, 0, 0))],
                           trials: 2, scale: energy, factorizationScale: energy, renormalizationScale: energy,
                           alphaS: 0.12, relativeWeight: weight)
    }

    static func runInfo(processes: [EventProcess] = gluons, seed: UInt64 = 11, cardText: String = "card") -> EventRunInfo {
        var info = EventRunInfo(energyA: 6500, energyB: 6500, pdfSetID: 247000, processes: processes, weighted: false,
                                cardHash: "card-abc", modelHash: "model-123", seed: seed)
        info.cardText = cardText
        return info
    }

    static func totals(events: Int, sigma: Double = 10) -> EventRunTotals {
        EventRunTotals(crossSection: sigma, error: 0.5, processCrossSections: [sigma], processErrors: [0.5],
                       processMaximumWeights: [sigma / Double(events)], unitWeight: sigma / Double(events),
                       events: Int64(events), trials: Int64(2 * events))
    }

    func testFinishedFileReadsBackWithLongCardTextAndFinalWeights() throws {
        let file = path("serial.h5")
        let card = String(repeating: "# a long run card line, kept whole in the file --\n", count: 4000)   // ~200 kB
        let sink = try LHEH5Sink(path: file, run: Self.runInfo(cardText: card), particlesPerEvent: 4, comm: SerialCommunicator())
        try sink.write((0..<5).map { Self.gluonEvent(energy: 100 + Double($0)) })
        try sink.write([])
        try sink.write([Self.gluonEvent(energy: 300, weight: 2)])
        XCTAssertTrue(exists(file + ".partial"))
        XCTAssertFalse(exists(file))
        var totals = Self.totals(events: 6, sigma: 14)
        totals.unitWeight = 2   // σ / Σ relative weights (5 × 1 + 2)
        try sink.finish(totals)
        XCTAssertFalse(exists(file + ".partial"))
        XCTAssertThrowsError(try sink.write([])) { XCTAssertEqual($0 as? EventFileError, .sinkClosed(path: file)) }

        let read = try LHEH5File(path: file)
        XCTAssertEqual(read.run, Self.runInfo(cardText: card))
        XCTAssertEqual(read.totals, totals)
        let events = try read.events(4..<6)
        XCTAssertEqual(events.map(\.relativeWeight), [2, 4], "relative weight × unitWeight")
        XCTAssertEqual(events[1], Self.gluonEvent(energy: 300, weight: 4))
        XCTAssertEqual(try read.events(0..<6).map(\.relativeWeight).reduce(0, +), 14, accuracy: 1e-12)
        XCTAssertEqual(read.chunks(of: 4), [0..<4, 4..<6])
    }

    func testInvalidRunsAndEventsAreRefused() throws {
        XCTAssertThrowsError(try LHEH5Sink(path: path("a.h5"), run: Self.runInfo(), particlesPerEvent: 5, comm: SerialCommunicator())) {
            XCTAssert("\($0)".contains("particlesPerEvent = 5 but the processes have at most 4 legs"), "\($0)")
        }
        XCTAssertFalse(exists(path("a.h5.partial")))
        let sink = try LHEH5Sink(path: path("b.h5"), run: Self.runInfo(), particlesPerEvent: 4, comm: SerialCommunicator())
        var wrongProcess = Self.gluonEvent(energy: 50)
        wrongProcess.processID = 2
        XCTAssertThrowsError(try sink.write([wrongProcess])) { XCTAssert("\($0)".contains("process id 2 outside 1...1"), "\($0)") }
        var missingParticle = Self.gluonEvent(energy: 50)
        missingParticle.particles.removeLast()
        XCTAssertThrowsError(try sink.write([missingParticle])) { XCTAssert("\($0)".contains("has 4 legs but the event has 3"), "\($0)") }
        sink.abandon()
        XCTAssertFalse(exists(path("b.h5")))
        XCTAssertFalse(exists(path("b.h5.partial")))
    }

    func testTotalsThatDoNotMatchTheEventsRemoveThePartialFile() throws {
        let file = path("c.h5")
        let sink = try LHEH5Sink(path: file, run: Self.runInfo(), particlesPerEvent: 4, comm: SerialCommunicator())
        try sink.write([Self.gluonEvent(energy: 80), Self.gluonEvent(energy: 90)])
        XCTAssertThrowsError(try sink.finish(Self.totals(events: 3))) {
            XCTAssertEqual($0 as? EventFileError, .totalsMismatch("totals.events = 3 but 2 events were written"))
        }
        XCTAssertFalse(exists(file))
        XCTAssertFalse(exists(file + ".partial"))
    }

    func testColumnOverwriteOverRowBlocksAndRowRangeReads() throws {
        let file = path("d.h5")
        let h5 = try ParallelH5File(creating: file, comm: SerialCommunicator())
        try h5.createDataset("x", columns: 3, chunkRows: 2)
        try h5.append("x", rows: (0..<18).map(Double.init))
        try h5.overwriteColumn("x", column: 1, rowBlocks: [(0, 2), (4, 1), (3, 0)], values: [-1, -2, -3])
        XCTAssertThrowsError(try h5.overwriteColumn("x", column: 1, rowBlocks: [(5, 2)], values: [0, 0]))
        try h5.writeSmallDataset("v", shape: [2, 2], values: [1, 2, 3, 4] as [Double])
        try h5.setAttribute("answer", value: Int64(42))
        try h5.setAttribute("pi", on: "v", value: 3.25)
        try h5.setAttribute("seed", value: UInt64.max)
        try h5.setStringAttribute("names", on: "v", values: ["α", "beta"], variableLength: true)
        try h5.close()

        let r = try H5Reader(path: file)
        XCTAssertEqual(try r.readDoubles("x").storage,
                       [0, -1, 2, 3, -2, 5, 6, 7, 8, 9, 10, 11, 12, -3, 14, 15, 16, 17])
        XCTAssertEqual(try r.readDoubles("x", rows: 4..<6), .init(rows: 2, cols: 3, storage: [12, -3, 14, 15, 16, 17]))
        XCTAssertEqual(try r.readDoubles("x", rows: 2..<2).rows, 0)
        XCTAssertThrowsError(try r.readDoubles("x", rows: 5..<7))
        XCTAssertEqual(try r.readDoubles("v"), .init(rows: 2, cols: 2, storage: [1, 2, 3, 4]))
        XCTAssertEqual(try r.int64Attribute("answer"), 42)
        XCTAssertEqual(try r.doubleAttribute("pi", on: "v"), 3.25)
        XCTAssertEqual(try r.uint64Attribute("seed"), UInt64.max)
        XCTAssertEqual(try r.stringAttribute("names", on: "v"), ["α", "beta"])
        XCTAssertFalse(r.hasAttribute("absent"))
        XCTAssertThrowsError(try r.doubleAttribute("absent")) { XCTAssert("\($0)".contains("no attribute 'absent' on the file")) }
    }
}
