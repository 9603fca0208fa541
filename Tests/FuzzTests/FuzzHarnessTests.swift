// Fuzzing of every input format nisgen reads: run cards, PDF grids and .info files, model files and LHEH5
// event files. For each target: first every file of Corpus/<target>/ (inputs that once failed) is replayed,
// then FUZZ_INPUTS mutants of valid seeds (default: about 60 s' worth on this machine, per target) are tried
// with seed FUZZ_SEED (default 1), for at most FUZZ_SECONDS (default 120), in a child process (FuzzDriver) with
// an address-space cap and a per-input time limit. A count rather than a time makes the inputs the same on
// every machine: a faster CI machine must not try mutants no one has tried here. Longer hunts: set both. A crash or hang copies the
// input into the corpus and fails the test; fix the product until the input is a clean error.
import XCTest
import Foundation
import TestSupport

final class FuzzHarnessTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    /// Seconds one input may take before the child counts as hung.
    static let perInputSeconds = 20.0

    /// Valid inputs to mutate, per target: the repository's cards, the shipped PDF grid and a small one with
    /// a .info, and a tiny model and event file written by the built nisgen.
    static let seeds: [String: [URL]] = {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("nisgen-fuzz-seeds-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let root = BuiltProducts.repository
        let venv = root.appendingPathComponent(".venv").path
        let cards = ["tiny_wplus_1j", "tiny_wplus_2j", "wplus_2j"].map { root.appendingPathComponent("cards/\($0).toml") }
        let grid = root.appendingPathComponent(".venv/share/Pythia8/pdfdata/\(FuzzTarget.setName)_0000.dat")
        let small = dir.appendingPathComponent("small.dat"), info = dir.appendingPathComponent("small.info")
        try! SmallPDFSet.grid.write(to: small, atomically: true, encoding: .utf8)
        try! SmallPDFSet.info.write(to: info, atomically: true, encoding: .utf8)
        let card = """
        [process]
        process = "p p > e+ ve j"
        pdf_path = ["\(venv)"]
        [training]
        vegas_iterations = 2
        vegas_points = 600
        steps = 2
        batch_size = 128
        flow_bins = 4
        flow_units = 4
        evaluation_points = 600
        [generation]
        survey_points = 600
        """
        try! card.write(to: dir.appendingPathComponent("seed.toml"), atomically: true, encoding: .utf8)
        for args in [["train", "--card", "seed.toml", "--output", "model.h5", "--quiet"],
                     ["generate", "--card", "seed.toml", "--model", "model.h5", "--events", "12", "--output", "events.h5", "--quiet"]] {
            let r = try! ChildProcess.run(BuiltProducts.folder.appendingPathComponent("nisgen").path, args, in: dir, timeout: 300)
            precondition(r.status == 0, "making fuzz seeds: nisgen \(args) failed: \(r.output.suffix(2000))")
        }
        // Also compact copies (h5repack, contiguous layout, the latest format like nisgen's own): nisgen's files
        // are mostly empty chunk space, where mutations change nothing.
        var h5 = ["model": [dir.appendingPathComponent("model.h5")], "events": [dir.appendingPathComponent("events.h5")]]
        for (target, files) in h5 {
            let compact = dir.appendingPathComponent("compact-" + files[0].lastPathComponent)
            let r = try? ChildProcess.run("/usr/bin/h5repack", ["-L", "-l", "CONTI", files[0].path, compact.path], in: dir, timeout: 60)
            if r?.status == 0 { h5[target]?.append(compact) }
        }
        return ["card": cards + [dir.appendingPathComponent("seed.toml")], "pdf-grid": [small, grid], "pdf-info": [info],
                "model": h5["model"]!, "events": h5["events"]!]
    }()

    struct Outcome {
        var stats: FuzzDriver.Stats?
        var crashed: String?
    }

    /// One child: replay `replay`'s files, or fuzz for `seconds`; watches it and saves what killed it.
    /// Mutants per target by default: about 60 s each here (2-core VM, debug build).
    static let defaultInputs = ["card": 60_000, "pdf-grid": 2_500, "pdf-info": 7_000, "model": 12_000, "events": 5_500]

    func drive(_ target: FuzzTarget, seconds: Double, inputs: Int = .max, seed: UInt64, replay: URL? = nil) throws -> Outcome {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("nisgen-fuzz-\(target.name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        if target.name == "pdf-info" {
            try SmallPDFSet.grid.write(to: work.appendingPathComponent(FuzzTarget.setName + "_0000.dat"), atomically: true, encoding: .utf8)
        }
        var env = BuiltProducts.mpiEnvironment
        env["NISGEN_FUZZ_TARGET"] = target.name
        env["NISGEN_FUZZ_WORK"] = work.path
        env["NISGEN_FUZZ_SECONDS"] = String(seconds)
        env["NISGEN_FUZZ_SEED"] = String(seed)
        env["NISGEN_FUZZ_INPUTS"] = String(inputs)
        env["NISGEN_FUZZ_SEEDS"] = (Self.seeds[target.name] ?? []).map(\.path).joined(separator: ":")
        if let replay { env["NISGEN_FUZZ_REPLAY"] = replay.path }
        let input = work.appendingPathComponent(target.fileName)
        let test = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let r = try ChildProcess.run(test, ["FuzzTests.FuzzDriver/testDrive"], in: work, environment: env, timeout: seconds + 600) {
            // Hung: the current input has been in work longer than one input may take.
            guard let m = (try? FileManager.default.attributesOfItem(atPath: input.path))?[.modificationDate] as? Date else { return false }
            return Date().timeIntervalSince(m) > Self.perInputSeconds
        }
        let stats = (try? Data(contentsOf: work.appendingPathComponent("stats.json"))).flatMap { try? JSONDecoder().decode(FuzzDriver.Stats.self, from: $0) }
        if r.status == 0 && !r.timedOut && !r.stopped && stats != nil {
            try? FileManager.default.removeItem(at: work)
            return Outcome(stats: stats, crashed: nil)
        }
        let what = r.stopped ? "hung (> \(Self.perInputSeconds) s on one input)" : r.timedOut ? "did not finish" : "crashed (status \(r.status))"
        var saved = "no input file"
        if replay == nil, let bytes = try? Data(contentsOf: input) {
            let folder = Self.corpus.appendingPathComponent(target.name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("seed\(seed)-\(String(UInt32(truncatingIfNeeded: bytes.hashValue), radix: 16))-\(target.fileName)")
            try bytes.write(to: file)
            saved = "input saved as \(file.path)"
        } else if replay != nil {
            saved = "replaying the corpus, last input: \(input.path)"
        }
        return Outcome(stats: stats, crashed: "\(target.name): \(what); \(saved)\n\(r.output.suffix(3000))")
    }

    func fuzz(_ name: String) throws {
        let target = try XCTUnwrap(FuzzTarget.named(name))
        let env = ProcessInfo.processInfo.environment
        let seconds = Double(env["FUZZ_SECONDS"] ?? "") ?? 120
        let inputs = Int(env["FUZZ_INPUTS"] ?? "") ?? Self.defaultInputs[name] ?? 1_000
        let seed = UInt64(env["FUZZ_SEED"] ?? "") ?? 1
        let corpus = Self.corpus.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: corpus.path) {
            let replayed = try drive(target, seconds: 0, seed: seed, replay: corpus)
            XCTAssertNil(replayed.crashed, replayed.crashed ?? "")
            print("fuzz \(name): corpus of \(replayed.stats?.inputs ?? 0) input(s) replayed, \(replayed.stats?.rejected ?? 0) rejected with an error")
        }
        let run = try drive(target, seconds: seconds, inputs: inputs, seed: seed)
        XCTAssertNil(run.crashed, run.crashed ?? "")
        let s = try XCTUnwrap(run.stats)
        XCTAssertGreaterThan(s.inputs, 0)
        print("fuzz \(name): \(s.inputs) inputs in \(String(format: "%.1f", s.seconds)) s (\(String(format: "%.0f", Double(s.inputs) / max(s.seconds, 1e-9))) per second), "
              + "\(s.rejected) rejected with an error, \(s.accepted) accepted; seed \(seed)")
    }

    func testFuzzRunCards() throws { try fuzz("card") }
    func testFuzzPDFGrids() throws { try fuzz("pdf-grid") }
    func testFuzzPDFInfoFiles() throws { try fuzz("pdf-info") }
    func testFuzzModelFiles() throws { try fuzz("model") }
    func testFuzzEventFiles() throws { try fuzz("events") }
}
