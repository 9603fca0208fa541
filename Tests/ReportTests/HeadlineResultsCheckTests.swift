import XCTest
import Foundation

/// bench/check_headline.py accepts the committed bench/results/headline.json, prints one table line per seed row,
/// and refuses copies in which a derived figure no longer follows from the measured ones.
final class HeadlineResultsCheckTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let checker = repository.appendingPathComponent("bench/check_headline.py").path
    let committed = repository.appendingPathComponent("bench/results/headline.json")

    func check(_ path: String) throws -> (status: Int32, output: String, errors: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", checker, path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    func committedFile() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: committed)) as? [String: Any])
    }

    func testTheCommittedResultsPass() throws {
        let haswell = try check(Self.repository.appendingPathComponent("bench/results/headline-haswell.json").path)
        XCTAssertEqual(haswell.status, 0, haswell.errors)
        let r = try check(committed.path)
        XCTAssertEqual(r.status, 0, r.errors)
        let rows = try XCTUnwrap(try committedFile()["rows"] as? [[String: Any]])
        XCTAssertFalse(rows.isEmpty)
        for row in rows {
            let n = try XCTUnwrap(row["jets"] as? Int)
            let seeds = try XCTUnwrap(row["seeds"] as? [[String: Any]])
            for s in seeds {
                let seed = try XCTUnwrap(s["seed"] as? Int)
                XCTAssertEqual(r.output.components(separatedBy: "\n").filter { $0.hasPrefix("| \(n) | \(seed) |") }.count, 1,
                               "one table line for n = \(n), seed \(seed)")
            }
        }
    }

    /// Each damage is applied to its own copy of the committed file; the checker must name what is wrong.
    func testDamagedCopiesFail() throws {
        typealias Object = [String: Any]
        func firstSeed(_ file: inout Object, _ change: (inout Object) -> Void) {
            var rows = file["rows"] as! [Object]
            var seeds = rows[0]["seeds"] as! [Object]
            change(&seeds[0])
            rows[0]["seeds"] = seeds
            file["rows"] = rows
        }
        func inside(_ o: inout Object, _ key: String, _ change: (inout Object) -> Void) {
            var inner = o[key] as! Object
            change(&inner)
            o[key] = inner
        }
        let damages: [(expected: String, damage: (inout Object) -> Void)] = [
            ("ratio.reduced_max", { f in firstSeed(&f) { s in inside(&s, "nis") { n in inside(&n, "efficiency") { e in
                e["reduced_max"] = 0.5 * (e["reduced_max"] as! Double) } } } }),
            ("pull", { f in firstSeed(&f) { s in s["pull"] = (s["pull"] as! Double) + 1 } }),
            ("should be <= 1", { f in firstSeed(&f) { s in inside(&s, "vegas") { v in inside(&v, "efficiency") { e in
                e["bootstrap_median"] = 1.5 } } } }),
            ("missing 'training_cpu_s'", { f in firstSeed(&f) { s in inside(&s, "nis") { n in n["training_cpu_s"] = nil } } }),
            ("not unique", { f in f["rows"] = (f["rows"] as! [Object]) + [(f["rows"] as! [Object])[0]] }),
            // A generator row (rows[0], n = 1) above its share-weighted figure: a harmonic mean cannot exceed it.
            ("exceeds share_weighted_efficiency", { f in firstSeed(&f) { s in inside(&s, "vegas") { v in inside(&v, "efficiency") { e in
                e["reduced_max"] = 1.01 * (e["reduced_max"] as! Double) } } } }),
            ("unknown combination", { f in
                var rows = f["rows"] as! [Object]; rows[0]["combination"] = "arithmetic"; f["rows"] = rows }),
            ("not described", { f in f["combinations"] = ["share_weighted": "Σ s·ε"] as Object }),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headline-check-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (k, d) in damages.enumerated() {
            var file = try committedFile()
            d.damage(&file)
            let path = folder.appendingPathComponent("broken-\(k).json")
            try JSONSerialization.data(withJSONObject: file).write(to: path)
            let r = try check(path.path)
            XCTAssertEqual(r.status, 1, "damage \(k) (\(d.expected)) was accepted")
            XCTAssertTrue(r.errors.contains(d.expected), "damage \(k): expected '\(d.expected)' in:\n\(r.errors)")
        }
    }
}
