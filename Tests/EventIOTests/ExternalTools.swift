// The real clients the event-file tests talk to: `mpirun` with the MPIProbe executable, and the project's
// Python environment (.venv: h5py, pylhe, pythia8mc).
import Foundation
import XCTest

enum ExternalTools {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = packageRoot.appendingPathComponent(".venv/bin/python").path
    /// SwiftPM builds the executables next to the test binary.
    static let probe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("MPIProbe").path

    struct Outcome {
        let status: Int32
        /// stdout and stderr interleaved (one pipe: no deadlock on a full second pipe).
        let output: String
        /// Lines "rank N ...", by N.
        var rankLines: [Int: String] {
            var lines: [Int: String] = [:]
            for line in output.split(separator: "\n") where line.hasPrefix("rank ") {
                if let r = Int(line.split(separator: " ")[1]) { lines[r] = String(line) }
            }
            return lines
        }
    }

    static func run(_ argv: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// MPIProbe under real mpirun.
    static func probe(ranks: Int, _ arguments: [String]) throws -> Outcome {
        try run(["mpirun", "-np", String(ranks), "--oversubscribe", probe] + arguments)
    }

    /// Run a Python script that prints one line `JSON {...}`; returns that object (fails the test otherwise).
    static func pythonJSON(_ script: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let outcome = try run([python, "-c", script] + arguments)
        XCTAssertEqual(outcome.status, 0, outcome.output, file: file, line: line)
        return try json(from: outcome, file: file, line: line)
    }

    static func json(from outcome: Outcome, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        guard let jsonLine = outcome.output.split(separator: "\n").last(where: { $0.hasPrefix("JSON ") }),
              let object = try JSONSerialization.jsonObject(with: Data(jsonLine.dropFirst(5).utf8)) as? [String: Any] else {
            XCTFail("no JSON line from python: \(outcome.output)", file: file, line: line)
            return [:]
        }
        return object
    }
}

extension Dictionary where Key == String, Value == Any {
    func number(_ key: String) -> Double { (self[key] as? NSNumber)?.doubleValue ?? .nan }
    func strings(_ key: String) -> [String] { self[key] as? [String] ?? [] }
}

/// A test case with a fresh folder for its files; NISGEN_KEEP_TEST_FILES=1 keeps it for a look by hand.
class FolderTestCase: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nisgen-\(type(of: self))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws {
        if ProcessInfo.processInfo.environment["NISGEN_KEEP_TEST_FILES"] == nil { try? FileManager.default.removeItem(at: folder) }
    }
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// `name` in the folder, written by MPIProbe `lheh5` on `counts.count` ranks; fails unless every rank succeeds.
    @discardableResult
    func probeFile(_ name: String, counts: [Int], _ options: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let target = path(name)
        let outcome = try ExternalTools.probe(ranks: counts.count, ["lheh5", target, counts.map(String.init).joined(separator: ",")] + options)
        XCTAssertEqual(outcome.status, 0, outcome.output, file: file, line: line)
        XCTAssertEqual(outcome.rankLines.count, counts.count, outcome.output, file: file, line: line)
        return target
    }
}
