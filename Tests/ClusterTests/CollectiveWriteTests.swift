import XCTest
import EventIO
import Foundation

/// Collective HDF5 writes from several ranks under real mpirun.
final class CollectiveWriteTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nisgen-h5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testUnevenRowsFromThreeRanksReadBackExactly() throws {
        let counts = [5, 0, 3]   // the middle rank writes nothing but must join the collective calls
        let path = folder.appendingPathComponent("rows.h5").path
        let res = try MPIRun.run(ranks: 3, executable: "MPIProbe", arguments: ["h5write", path] + counts.map(String.init))
        XCTAssertEqual(res.status, 0, res.stdout + res.stderr)
        let lines = MPIRun.rankLines(res.stdout)
        for r in 0..<3 {
            let w = lines[r] ?? []
            XCTAssertEqual(w.dropFirst(2).first, "offset")
            XCTAssertEqual(Int(w[3]), counts[..<r].reduce(0, +), "first-round offset of rank \(r)")
            XCTAssertEqual(Int(w[5]), 8 + counts[..<r].reduce(0, +), "second-round offset of rank \(r)")
            XCTAssertEqual(w[7], "true", "HDF5 must report a collective transfer")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
        let reader = try H5Reader(path: path)
        let m = try reader.readDoubles("rows")
        XCTAssertEqual(m.rows, 16); XCTAssertEqual(m.cols, 3)
        var expected: [Double] = []
        for _ in 0..<2 { for r in 0..<3 { for k in 0..<counts[r] { expected += [Double(r), Double(k), Double(r * 1000 + k)] } } }
        XCTAssertEqual(m.storage, expected)
        XCTAssertEqual(try reader.stringAttribute("properties", on: "rows"), ["rank", "index", "value"])
    }

    func testUnwritablePathFailsOnEveryRankAndLeavesNoFile() throws {
        let path = folder.appendingPathComponent("no/such/folder/out.h5").path
        let res = try MPIRun.run(ranks: 2, executable: "MPIProbe", arguments: ["h5write", path, "3", "4"])
        XCTAssertNotEqual(res.status, 0)
        let lines = MPIRun.rankLines(res.stdout)
        for r in 0..<2 {
            XCTAssert((lines[r] ?? []).joined(separator: " ").contains("cannot create HDF5 file"), res.stdout)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
    }

    func testDuplicateDatasetFailsOnEveryRankAndLeavesNoCompleteFile() throws {
        let path = folder.appendingPathComponent("dup.h5").path
        let res = try MPIRun.run(ranks: 2, executable: "MPIProbe", arguments: ["h5dup", path])
        XCTAssertNotEqual(res.status, 0)
        let lines = MPIRun.rankLines(res.stdout)
        for r in 0..<2 {
            XCTAssert((lines[r] ?? []).joined(separator: " ").contains("dataset 'rows' already exists"), res.stdout)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
    }
}
