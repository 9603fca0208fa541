import XCTest
import Cluster
import EventIO
import Foundation

/// The writer on one rank without MPI (SerialCommunicator): round trip, publish-on-close, errors.
final class SerialH5Tests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nisgen-sh5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testRoundTripAndPublishOnClose() throws {
        let path = folder.appendingPathComponent("a.h5").path
        let f = try ParallelH5File(creating: path, comm: SerialCommunicator())
        try f.createDataset("x", columns: 2)
        try f.createDataset("ids", columns: 1, type: .int64)
        XCTAssertEqual(try f.append("x", rows: [1, 2, 3, 4] as [Double]), 0)
        XCTAssertEqual(try f.append("x", rows: [5, 6] as [Double]), 2)
        try f.append("ids", rows: [Int64(7), -8, 1 << 40])
        try f.setStringAttribute("properties", on: "x", values: ["a", "longer name"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "not published before close")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".partial"))
        try f.close()
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
        let r = try H5Reader(path: path)
        XCTAssertEqual(try r.readDoubles("x"), .init(rows: 3, cols: 2, storage: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(try r.readInt64("ids"), [7, -8, 1 << 40])
        XCTAssertEqual(try r.stringAttribute("properties", on: "x"), ["a", "longer name"])
    }

    func testAbandonedFileLeavesNothing() throws {
        let path = folder.appendingPathComponent("b.h5").path
        do {
            let f = try ParallelH5File(creating: path, comm: SerialCommunicator())
            try f.createDataset("x", columns: 2)
            try f.append("x", rows: [1, 2] as [Double])
            // dropped without close: as after an error
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
    }

    func testErrorsNameTheProblem() throws {
        let f = try ParallelH5File(creating: folder.appendingPathComponent("c.h5").path, comm: SerialCommunicator())
        try f.createDataset("x", columns: 3)
        XCTAssertThrowsError(try f.createDataset("x", columns: 3)) { XCTAssertEqual($0 as? H5Error, .datasetExists(name: "x")) }
        XCTAssertThrowsError(try f.append("x", rows: [1, 2] as [Double])) { XCTAssertEqual($0 as? H5Error, .shapeMismatch(name: "x", expected: 3, got: 2)) }
        XCTAssertThrowsError(try f.append("y", rows: [1] as [Double])) { XCTAssertEqual($0 as? H5Error, .noSuchDataset(name: "y")) }
        f.abandon()
        XCTAssertThrowsError(try ParallelH5File(creating: "/nonexistent-dir/x.h5", comm: SerialCommunicator())) {
            XCTAssert(String(describing: $0).contains("cannot create HDF5 file '/nonexistent-dir/x.h5'"))
        }
    }
}
