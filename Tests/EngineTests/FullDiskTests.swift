// A full file system under `nisgen generate` (1 and 2 ranks) and `nisgen train`: a small tmpfs holding an
// already complete file is filled by the run. The error names the path and says the disk is full, the exit
// status is 1 (no crash), every rank exits, the partial file is removed, and the complete file is untouched.
import XCTest
import Foundation
import Integrator

final class FullDiskTests: XCTestCase {
    var scratch: URL!
    var disk: URL!

    override func tearDownWithError() throws {
        if let disk { _ = try? Self.command("/bin/umount", [disk.path]) }
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// Mount a tmpfs of `megabytes` MB (or `kilobytes` kB) in a fresh scratch folder; skip the test if that is
    /// not allowed here.
    func mountSmallDisk(megabytes: Int = 0, kilobytes: Int = 0) throws {
        scratch = try NisgenProcess.scratch("fulldisk")
        let folder = scratch.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (status, output) = try Self.command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes * 1024 + kilobytes)k", "tmpfs", folder.path])
        guard status == 0 else {
            throw XCTSkip("cannot mount a tmpfs to fill (needs root): mount said \(output)")
        }
        disk = folder
    }

    static func command(_ path: String, _ arguments: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// Copy `file` from the shared folder onto the small disk; returns its bytes there.
    func placeCompleteFile(_ file: String, as name: String) throws -> Data {
        let target = disk.appendingPathComponent(name)
        try FileManager.default.copyItem(at: GenerationEngineTests.shared.appendingPathComponent(file), to: target)
        return try Data(contentsOf: target)
    }

    func assertFailedCleanly(_ r: NisgenProcess.Result, path: String, _ what: String) {
        XCTAssertFalse(r.timedOut, "\(what): a rank hung after the write failed: \(r.output.suffix(3000))")
        XCTAssertEqual(r.status, 1, "\(what): exit status \(r.status) (1 expected: an error, not a crash): \(r.output.suffix(3000))")
        XCTAssertTrue(r.stderr.contains("'\(path)'"), "\(what): the error does not name \(path): \(r.stderr.suffix(2000))")
        XCTAssertTrue(r.stderr.contains("no space left on device"), "\(what): the error does not say the disk is full: \(r.stderr.suffix(2000))")
        XCTAssertFalse(r.output.contains("Program crashed") || r.output.contains("Segmentation fault") || r.output.contains("signal 11"),
                       "\(what): crashed: \(r.output.suffix(3000))")
        XCTAssertEqual(r.stderr.components(separatedBy: "Error: ").count - 1, 1, "\(what): one error message, from one rank: \(r.stderr.suffix(2000))")
    }

    func assertNothingLeft(_ name: String, _ what: String) {
        for leftover in [name, name + ".partial"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: disk.appendingPathComponent(leftover).path), "\(what): left \(leftover)")
        }
    }

    func testGenerateIntoAFullDiskFailsNamingThePathAndLeavesCompleteFilesAlone() throws {
        // A complete 300-event file (1.7 MB: its chunks are allocated whole) on a 3 MB disk.
        let shared = GenerationEngineTests.shared
        if !FileManager.default.fileExists(atPath: shared.appendingPathComponent("disk-complete.h5").path) {
            let r = try NisgenProcess.run(ranks: nil, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--events", "300",
                                                      "--output", "disk-complete.h5", "--seed", "51", "--quiet"], in: shared)
            XCTAssertEqual(r.status, 0, r.output.suffix(2000).description)
        }
        try mountSmallDisk(megabytes: 3)
        let before = try placeCompleteFile("disk-complete.h5", as: "complete.h5")
        for ranks in [1, 2] {
            // Weighted events (every trial) fill the disk within a second of generation.
            let path = disk.appendingPathComponent("big-\(ranks).h5").path
            let r = try NisgenProcess.run(ranks: ranks, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--weighted",
                                                         "--events", "20000", "--seed", "\(52 + ranks)", "--quiet", "--output", path,
                                                         "--json", scratch.appendingPathComponent("big-\(ranks).json").path],
                                          in: shared, timeout: 180)
            assertFailedCleanly(r, path: path, "generate on \(ranks) rank(s)")
            assertNothingLeft("big-\(ranks).h5", "generate on \(ranks) rank(s)")
            XCTAssertEqual(try Data(contentsOf: disk.appendingPathComponent("complete.h5")), before,
                           "generate on \(ranks) rank(s) changed the complete file beside it")
        }
        // The complete file still verifies.
        let v = try NisgenProcess.run(ranks: nil, ["inspect", disk.appendingPathComponent("complete.h5").path, "--verify"], in: shared)
        XCTAssertEqual(v.status, 0, v.output.suffix(2000).description)
    }

    func testTrainWritingItsModelIntoAFullDiskFailsNamingThePath() throws {
        // A disk with room for the shared model and half of another one like it.
        let model = GenerationEngineTests.shared.appendingPathComponent("w1.h5")
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: model.path)[.size] as? Int)
        try mountSmallDisk(kilobytes: (3 * size / 2) / 1024 + 64)
        let before = try placeCompleteFile("w1.h5", as: "complete-model.h5")
        let path = disk.appendingPathComponent("new-model.h5").path
        let r = try NisgenProcess.run(ranks: 2, ["train", "--card", "w1.toml", "--steps", "2", "--quiet", "--output", path],
                                      in: GenerationEngineTests.shared, timeout: 180)
        assertFailedCleanly(r, path: path, "train")
        assertNothingLeft("new-model.h5", "train")
        XCTAssertEqual(try Data(contentsOf: disk.appendingPathComponent("complete-model.h5")), before, "train changed the model beside it")
        XCTAssertTrue(try SamplerModelFile.read(from: disk.appendingPathComponent("complete-model.h5").path).complete)
    }
}
