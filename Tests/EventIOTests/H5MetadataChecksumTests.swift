// The lookup3 checksum against Bob Jenkins' published test values and against superblocks written by
// libhdf5 itself; an in-memory file (how models are written) reads back after the repair.
import XCTest
import Foundation
@testable import EventIO
import Cluster

final class H5MetadataChecksumTests: XCTestCase {
    func testLookup3MatchesTheReferenceValues() {
        // lookup3.c's driver: hashlittle("", 0, 0) = deadbeef; "Four score and seven years ago" → 17770551 (init 0),
        // cd628161 (init 1).
        XCTAssertEqual(H5MetadataChecksum.lookup3([][...]), 0xdeadbeef)
        let text = Array("Four score and seven years ago".utf8)
        XCTAssertEqual(H5MetadataChecksum.lookup3(text[...]), 0x17770551)
        XCTAssertEqual(H5MetadataChecksum.lookup3(text[...], initialValue: 1), 0xcd628161)
    }

    func testRepairReproducesTheChecksumLibhdf5WritesToDisk() throws {
        let path = NSTemporaryDirectory() + "checksum-\(UUID().uuidString.prefix(8)).h5"
        defer { unlink(path) }
        let file = try ParallelH5File(creating: path, comm: SerialCommunicator())
        try file.createDataset("a", columns: 3, chunkRows: 4)
        try file.append("a", rows: [1, 2, 3, 4, 5, 6] as [Double])
        try file.close()
        let disk = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(disk[8], 2, "nisgen writes version 2 superblocks")
        var damaged = disk
        damaged[44...47] = [0, 0, 0, 0]
        H5MetadataChecksum.repairSuperblock(&damaged)
        XCTAssertEqual(damaged, disk)
    }

    func testAnInMemoryFileIsWrittenWholeAndReadsBack() throws {
        let path = NSTemporaryDirectory() + "image-\(UUID().uuidString.prefix(8)).h5"
        defer { unlink(path) }
        let file = try ParallelH5File(creating: path, comm: SerialCommunicator(), inMemory: true)
        try file.createDataset("a", columns: 2, chunkRows: 3)
        try file.append("a", rows: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5] as [Double])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "published only at close")
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: path + ".partial"))[.size] as? Int, 0, "nothing on disk before close")
        try file.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
        let reader = try H5Reader(path: path)
        XCTAssertEqual(try reader.readDoubles("a"), .init(rows: 3, cols: 2, storage: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5]))
    }
}
