// Interrupted generation under real mpirun: a stop (signal, or --stop-after-rounds) leaves the events written
// so far in OUTPUT.partial, marked incomplete, and exits 85; `generate --resume` completes it into exactly the
// file an uninterrupted run with the same seed writes. Numerical faults: counted, excluded, and a run with
// too many stops naming their source.
import XCTest
import Foundation
import EventIO
import Numerics

final class GenerationResumeTests: XCTestCase {
    static let events = "6000"

    /// A W + 1 jet model (trained once, 2 ranks) and a card writing rounds of 500 events.
    static let shared: URL = {
        let card = NisgenProcess.card(jets: 1, generation: "flush_events = 500")
        let dir = try! NisgenProcess.scratch("resume-gen", cards: ["w1.toml": card])
        let r = try! NisgenProcess.run(ranks: 2, ["train", "--card", "w1.toml", "--output", "w1.h5", "--quiet"], in: dir)
        precondition(r.status == 0, "training the shared model failed: \(r.output.suffix(3000))")
        return dir
    }()

    var dir: URL { Self.shared }

    func generate(_ ranks: Int?, _ output: String, _ extra: [String] = []) throws -> NisgenProcess.Result {
        let r = try NisgenProcess.run(ranks: ranks, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--events", Self.events,
                                                     "--output", output, "--seed", "5", "--quiet"] + extra, in: dir)
        XCTAssertFalse(r.timedOut, "generate hung: \(r.output.suffix(3000))")
        return r
    }

    func exists(_ file: String) -> Bool { FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path) }

    /// The events and particles datasets of two files are identical, value for value.
    func assertSameEvents(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try H5Reader(path: dir.appendingPathComponent(a).path), y = try H5Reader(path: dir.appendingPathComponent(b).path)
        for name in ["events", "particles", "procInfo", "init"] {
            let u = try x.readDoubles(name), v = try y.readDoubles(name)
            XCTAssertEqual(u.rows, v.rows, "\(name) rows of \(a) and \(b)", file: file, line: line)
            XCTAssertTrue(u.storage == v.storage, "\(name) of \(a) and \(b) differ", file: file, line: line)
        }
        for attribute in ["crossSection", "crossSectionError", "unitWeight"] {
            XCTAssertEqual(try x.doubleAttribute(attribute), try y.doubleAttribute(attribute), attribute, file: file, line: line)
        }
        XCTAssertEqual(try x.int64Attribute("trialCount"), try y.int64Attribute("trialCount"), file: file, line: line)
        XCTAssertEqual(try x.int64Attribute("eventCount"), Int64(Self.events), file: file, line: line)
        XCTAssertFalse(y.hasDataset("resume_integers"), "the completed file keeps no resume record", file: file, line: line)
    }

    /// A stopped run's file: only OUTPUT.partial, complete = 0, interrupted = 1; no final file, no summary.
    func assertInterrupted(_ output: String, _ r: NisgenProcess.Result, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(r.status, 85, "a stopped run exits 85: \(r.output.suffix(2000))", file: file, line: line)
        XCTAssertTrue(r.stdout.contains("--resume"), r.stdout, file: file, line: line)
        XCTAssertFalse(exists(output), "no complete-looking file", file: file, line: line)
        XCTAssertFalse(exists(output.replacingOccurrences(of: ".h5", with: ".json")), "no summary yet", file: file, line: line)
        let p = try H5Reader(path: dir.appendingPathComponent(output + ".partial").path)
        XCTAssertEqual(try p.int64Attribute("complete"), 0, file: file, line: line)
        XCTAssertEqual(try p.int64Attribute("interrupted"), 1, file: file, line: line)
        XCTAssertEqual(try p.uint64Attribute("seed"), 5, file: file, line: line)
        XCTAssertLessThan(try p.shape("events").rows, Int(Self.events)!, file: file, line: line)
    }

    func testStopAndResumeOnOneAndTwoRanksGiveTheUninterruptedEvents() throws {
        for ranks in [nil, 2] as [Int?] {
            let tag = ranks.map { "\($0)" } ?? "1"
            let full = try generate(ranks, "full\(tag).h5")
            XCTAssertEqual(full.status, 0, full.output.suffix(2000).description)
            // Stopped twice (after 3 rounds, then after 2 more), then completed.
            let part = "part\(tag).h5"
            try assertInterrupted(part, try generate(ranks, part, ["--stop-after-rounds", "3"]))
            let rows = try H5Reader(path: dir.appendingPathComponent(part + ".partial").path).shape("events").rows
            XCTAssertEqual(rows, 1500, "3 rounds of 500 events")
            // Without --resume the interrupted file is not overwritten; with another seed it is not continued.
            let refused = try generate(ranks, part)
            XCTAssertNotEqual(refused.status, 0)
            XCTAssertTrue(refused.stderr.contains("--resume"), refused.stderr)
            let otherSeed = try NisgenProcess.run(ranks: ranks, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--events", Self.events,
                                                                 "--output", part, "--seed", "6", "--resume", "--quiet"], in: dir)
            XCTAssertNotEqual(otherSeed.status, 0)
            XCTAssertTrue(otherSeed.stderr.contains("seed"), otherSeed.stderr)
            try assertInterrupted(part, try generate(ranks, part, ["--resume", "--stop-after-rounds", "2"]))
            let resumed = try generate(ranks, part, ["--resume"])
            XCTAssertEqual(resumed.status, 0, resumed.output.suffix(2000).description)
            XCTAssertFalse(exists(part + ".partial"))
            try assertSameEvents("full\(tag).h5", part)
            let verify = try NisgenProcess.run(ranks: nil, ["inspect", "--verify", part], in: dir)
            XCTAssertEqual(verify.status, 0, verify.output.suffix(2000).description)
        }
        // A 2-rank partial file resumes on 2 ranks only.
        try assertInterrupted("ranks.h5", try generate(2, "ranks.h5", ["--stop-after-rounds", "1"]))
        let wrong = try generate(nil, "ranks.h5", ["--resume"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("number of ranks"), wrong.stderr)
        XCTAssertTrue(exists("ranks.h5.partial"), "a refused resume leaves the interrupted file as it was")
    }

    /// Real signals: SIGUSR1 to mpirun (which forwards it to every rank, as `scancel --signal=USR1` does),
    /// and SIGTERM to each rank directly (what Slurm sends at the time limit).
    func testStopSignalsDuringGenerationSuspendAndResumeExactly() throws {
        let full = "full-signal.h5"
        let r = try generate(2, full)
        XCTAssertEqual(r.status, 0, r.output.suffix(2000).description)
        for (name, toRanks, signal) in [("usr1", false, SIGUSR1), ("term", true, SIGTERM)] {
            let output = "\(name).h5"
            let job = try RunningJob(ranks: 2, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--events", Self.events,
                                                "--output", output, "--seed", "5", "--progress-interval", "0"], in: dir)
            // Once the first round is written (a progress line on stderr), signal.
            XCTAssertTrue(job.wait(upTo: 120) { job.stderr.contains("events: ") }, "no progress line: \(job.output.suffix(2000))")
            if toRanks {
                for pid in job.ranks().values { kill(pid, signal) }
            } else {
                kill(job.process.processIdentifier, signal)
            }
            let status = job.waitForExit(timeout: 120)
            XCTAssertNotNil(status, "the stopped job hung")
            try assertInterrupted(output, NisgenProcess.Result(status: status ?? -1, stdout: job.stdout, stderr: job.stderr, timedOut: status == nil))
            let resumed = try generate(2, output, ["--resume"])
            XCTAssertEqual(resumed.status, 0, resumed.output.suffix(2000).description)
            try assertSameEvents(full, output)
        }
    }

    func testNumericalFaultsAreCountedExcludedAndStopARunWithTooMany() throws {
        // Few faults (below max_fault_share = 0.1 %): the run completes, counts them, writes no NaN.
        let few = try NisgenProcess.run(ranks: 2, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--events", "2000", "--output", "few.h5",
                                                   "--seed", "8", "--quiet", "--inject-faults", "matrix_element:0.0005"], in: dir)
        XCTAssertEqual(few.status, 0, few.output.suffix(2000).description)
        let data = try Data(contentsOf: dir.appendingPathComponent("few.json"))
        let s = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let faults = try XCTUnwrap(s["numerical_faults"] as? [String: Int])
        let trials = try XCTUnwrap(s["trials"] as? Int)
        let me = try XCTUnwrap(faults["matrix_element"])
        XCTAssertGreaterThan(me, 0, "injected matrix-element NaNs are counted")
        // Only points inside the cuts reach the matrix element: at most the injected share of all trials.
        let expected = 0.0005 * Double(trials)
        XCTAssertLessThan(Double(me), expected + 5 * expected.squareRoot(), "\(me) faults in \(trials) trials")
        XCTAssertEqual(faults["pdf"], 0)
        XCTAssertEqual(s["non_finite_trials"] as? Int, faults.values.reduce(0, +))
        let verify = try NisgenProcess.run(ranks: nil, ["inspect", "--verify", "few.h5"], in: dir)
        XCTAssertEqual(verify.status, 0, "no NaN reaches an event: \(verify.output.suffix(2000))")
        // Many faults: the run stops with a message naming the source; nothing is left that looks complete.
        for (source, words) in [("pdf", "the PDF set"), ("matrix_element", "the matrix element")] {
            let output = "many-\(source).h5"
            let many = try NisgenProcess.run(ranks: 2, ["generate", "--card", "w1.toml", "--model", "w1.h5", "--events", "4000",
                                                        "--output", output, "--seed", "9", "--quiet", "--inject-faults", "\(source):0.05"], in: dir)
            XCTAssertFalse(many.timedOut)
            XCTAssertEqual(many.status, 1, many.output.suffix(2000).description)
            XCTAssertTrue(many.stderr.contains("max_fault_share") && many.stderr.contains(words), many.stderr)
            XCTAssertEqual(many.stderr.components(separatedBy: "Error:").count, 2, "one error message: \(many.stderr)")
            XCTAssertFalse(exists(output)); XCTAssertFalse(exists(output + ".partial"))
        }
    }
}
