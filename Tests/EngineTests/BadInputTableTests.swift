// One table of malformed inputs across every nisgen command: run cards (unknown keys, wrong types, zero or
// negative energies and budgets, impossible cuts, unknown particles, charge violation), PDF sets (missing,
// truncated, corrupt grid or .info), model and event files (truncated, corrupt, of another process or run),
// output paths (existing, unwritable) and conflicting options. Each must give one clear error naming the
// problem, exit ≠ 0 without a crash, leave no output behind, and — for the MPI commands, run on 2 ranks —
// let every rank exit within the time limit.
import XCTest
import Foundation

final class BadInputTableTests: XCTestCase {
    /// A folder with valid inputs to damage: cards, a model of W⁺(e) + 1 jet and one of W⁺(μ) + 1 jet,
    /// an unfinished model, event files of two seeds, of the other process and weighted, PDF set copies.
    static let fixture: URL = {
        let card = NisgenProcess.card(jets: 1, training: "", generation: "")
            .replacingOccurrences(of: "steps = 30", with: "steps = 8")
        let dir = try! NisgenProcess.scratch("badinput", cards: [
            "w1.toml": card,
            "mu.toml": card.replacingOccurrences(of: "e+ ve j", with: "mu+ vm j"),
        ])
        func nisgen(_ ranks: Int?, _ args: [String], expect status: Int32 = 0) {
            let r = try! NisgenProcess.run(ranks: ranks, args, in: dir, timeout: 300)
            precondition(r.status == status, "fixture \(args) failed: \(r.output.suffix(3000))")
        }
        nisgen(2, ["train", "--card", "w1.toml", "--output", "w1.h5", "--quiet"])
        nisgen(1, ["train", "--card", "mu.toml", "--output", "mu.h5", "--quiet"])
        nisgen(1, ["train", "--card", "w1.toml", "--output", "unfinished.h5", "--stop-after", "2", "--quiet"], expect: 85)
        for (out, card, model, seed, extra) in [("e1.h5", "w1.toml", "w1.h5", "1", [String]()), ("e2.h5", "w1.toml", "w1.h5", "2", []),
                                                ("e1again.h5", "w1.toml", "w1.h5", "1", []), ("emu.h5", "mu.toml", "mu.h5", "3", []),
                                                ("eweighted.h5", "w1.toml", "w1.h5", "4", ["--weighted"])] {
            nisgen(nil, ["generate", "--card", card, "--model", model, "--events", "40", "--output", out, "--seed", seed, "--quiet"] + extra)
        }
        let fm = FileManager.default
        func bytes(_ name: String) -> Data { fm.contents(atPath: dir.appendingPathComponent(name).path)! }
        func write(_ name: String, _ data: Data) { try! data.write(to: dir.appendingPathComponent(name)) }
        write("trunc-model.h5", bytes("w1.h5").prefix(100_000))
        write("trunc-events.h5", bytes("e2.h5").prefix(bytes("e2.h5").count / 2))
        write("text.h5", Data("not an HDF5 file".utf8))
        write("taken.h5", Data("x".utf8))
        write("bad.json", Data("{\"process\": ".utf8))
        write("momenta.txt", Data("1 2 3\n".utf8))
        // PDF set copies, damaged: truncated grid, a garbage number, an empty file, a bad and an inconsistent .info.
        let grid = NisgenProcess.repository.appendingPathComponent(".venv/share/Pythia8/pdfdata/NNPDF23_lo_as_0130_qed_0000.dat")
        let gridBytes = fm.contents(atPath: grid.path)!
        var garbage = gridBytes
        garbage.replaceSubrange(20_000..<20_003, with: Data("abc".utf8))
        let sets: [(String, Data, String?)] = [
            ("pdf-truncated", gridBytes.prefix(gridBytes.count / 2), nil),
            ("pdf-garbage", garbage, nil),
            ("pdf-empty", Data(), nil),
            ("pdf-badinfo", gridBytes, "SetIndex: 247000\nAlphaS_MZ: banana\n"),
            ("pdf-flavours", gridBytes, "SetIndex: 247000\nFlavors: [1, 2, 21]\n"),
        ]
        for (folder, data, info) in sets {
            try! fm.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            write(folder + "/NNPDF23_lo_as_0130_qed_0000.dat", data)
            if let info { write(folder + "/NNPDF23_lo_as_0130_qed.info", Data(info.utf8)) }
        }
        return dir
    }()

    /// How a case's command runs: under `mpirun -np 2` (the MPI commands) or alone (serial ones).
    enum Launch { case mpi, serial }

    struct Case {
        let name: String
        let launch: Launch
        let args: [String]
        /// A substring of the error naming the key, path, particle or option at fault.
        let expect: String
        /// No file whose name starts with one of these may exist afterwards (the case's own output names).
        let leftover: [String]
    }

    /// `w1.toml` with `edit` applied (old → new, each old must occur), written as `<name>.toml`.
    static func card(_ name: String, _ edits: [(String, String)], base: String = "w1.toml") throws -> String {
        var text = try String(contentsOf: fixture.appendingPathComponent(base), encoding: .utf8)
        for (old, new) in edits {
            precondition(text.contains(old), "card edit: '\(old)' not in \(base)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: fixture.appendingPathComponent(name + ".toml"), atomically: true, encoding: .utf8)
        return name + ".toml"
    }

    /// A card with `lines` added to `[section]` (a new section at the end if the card has none).
    static func card(_ name: String, section: String, _ lines: String, base: String = "w1.toml") throws -> String {
        let text = try String(contentsOf: fixture.appendingPathComponent(base), encoding: .utf8)
        if text.contains("[\(section)]\n") { return try card(name, [("[\(section)]\n", "[\(section)]\n\(lines)\n")], base: base) }
        return try card(name, [("[run]\n", "[\(section)]\n\(lines)\n\n[run]\n")], base: base)
    }

    static func cases() throws -> [Case] {
        var all = [Case]()
        func train(_ name: String, card: String, _ expect: String, _ extra: [String] = []) {
            let o = "o\(all.count)"
            all.append(Case(name: name, launch: .mpi, args: ["train", "--card", card, "--output", o + ".h5", "--quiet"] + extra, expect: expect, leftover: [o]))
        }
        func generate(_ name: String, card: String = "w1.toml", model: String = "w1.h5", _ expect: String, _ extra: [String] = [],
                      output: String? = nil, leftover: [String] = []) {
            let o = "o\(all.count)"
            all.append(Case(name: name, launch: .mpi, args: ["generate", "--card", card, "--model", model, "--output", output ?? o + ".h5",
                                                             "--quiet"] + extra, expect: expect, leftover: [o] + leftover))
        }
        func serial(_ name: String, _ args: (String) -> [String], _ expect: String, leftover: [String] = []) {
            let o = "o\(all.count)"
            all.append(Case(name: name, launch: .serial, args: args(o), expect: expect, leftover: [o] + leftover))
        }
        func mpi(_ name: String, _ args: (String) -> [String], _ expect: String, leftover: [String] = []) {
            let o = "o\(all.count)"
            all.append(Case(name: name, launch: .mpi, args: args(o), expect: expect, leftover: [o] + leftover))
        }
        let venv = NisgenProcess.repository.appendingPathComponent(".venv").path
        let pdfLine = "pdf_path = [\"\(venv)\"]"
        func pdfCard(_ folder: String) throws -> String {
            try card(folder, [(pdfLine, "pdf_path = [\"\(fixture.appendingPathComponent(folder).path)\"]")])
        }

        // Run cards, read by `train` on 2 ranks.
        train("unknown key", card: try card("c-key", [("steps = 8", "steps = 8\nstepz = 3")]), "unknown key 'stepz' in [training]")
        train("unknown section", card: try card("c-section", [("[run]", "[runs]")]), "unknown section [runs]")
        train("wrong type", card: try card("c-type", [("sqrt_s = 13000.0", "sqrt_s = \"13 TeV\"")]), "[process] sqrt_s must be a number")
        train("array for a number", card: try card("c-array", [("steps = 8", "steps = [8]")]), "[training] steps must be an integer")
        train("negative energy", card: try card("c-negative", [("sqrt_s = 13000.0", "sqrt_s = -13000.0")]), "[process] sqrt_s must be a positive")
        train("zero energy", card: try card("c-zero", [("sqrt_s = 13000.0", "sqrt_s = 0")]), "[process] sqrt_s must be a positive")
        train("NaN energy", card: try card("c-nan", [("sqrt_s = 13000.0", "sqrt_s = nan")]), "[process] sqrt_s must be a positive")
        train("zero steps", card: try card("c-steps", [("steps = 8", "steps = 0")]), "[training] steps must be ≥ 1")
        train("negative batch", card: try card("c-batch", [("batch_size = 512", "batch_size = -5")]), "[training] batch_size must be ≥ 1")
        train("zero VEGAS points", card: try card("c-vegas", [("vegas_points = 3000", "vegas_points = 0")]), "[training] vegas_points must be ≥ 1")
        train("zero evaluation points", card: try card("c-eval", [("evaluation_points = 5000", "evaluation_points = 0")]), "[training] evaluation_points")
        train("negative learning rate", card: try card("c-lr", section: "training", "learning_rate = -1.0"), "[training] learning_rate")
        train("negative flow units", card: try card("c-units", [("flow_units = 8", "flow_units = -3")]), "[training] flow_units must be ≥ 1")
        train("batch_size and batch_per_rank", card: try card("c-perrank", section: "training", "batch_per_rank = 64"), "batch_per_rank")
        train("zero events", card: try card("c-events", [("events = 300", "events = 0")]), "[generation] events must be ≥ 1")
        train("negative seed", card: try card("c-seed", [("seed = 7", "seed = -7")]), "[run] seed must be ≥ 0")
        train("negative W mass", card: try card("c-mw", section: "model", "mw = -80.4"), "[model] mw must be a positive")
        train("unknown scale choice", card: try card("c-scale", section: "scales", "choice = \"bogus\""), "choice 'bogus' unknown")
        train("negative scale factor", card: try card("c-muf", section: "scales", "mu_f_factor = -2.0"), "[scales] mu_f_factor")
        train("jet pT above √s/2", card: try card("c-ptmax", section: "cuts", "jet_pt_min = 7000.0"), "[cuts] jet_pt_min = 7000.0 leaves no phase space")
        train("zero rapidity window", card: try card("c-eta", section: "cuts", "jet_eta_max = 0.0"), "[cuts] jet_eta_max = 0.0 leaves no phase space")
        train("mT(W) above √s", card: try card("c-mtw", section: "cuts", "mt_w_min = 20000.0"), "[cuts] mt_w_min")
        train("transverse momenta beyond √s", card: try card("c-sumpt", section: "cuts", "jet_pt_min = 4000.0\nlepton_pt_min = 5000.0\nmissing_et_min = 5000.0"),
              "Σ pT")
        train("ΔR wider than the rapidity window", card: try card("c-dr", [("e+ ve j", "e+ ve j j"), ("[run]", "[cuts]\njet_eta_max = 1.0\njet_dr_min = 9.0\n\n[run]")]),
              "[cuts] jet_dr_min = 9.0")
        train("unknown particle", card: try card("c-particle", [("e+ ve j", "e+ vx j")]), "unknown particle 'vx'")
        train("charge-violating process", card: try card("c-charge", [("e+ ve j", "e- ve j")]), "'p p > e- ve j' has no partonic subprocess")
        train("process without '>'", card: try card("c-arrow", [("p p > e+ ve j", "p p e+ ve j")]), "has no '>'")
        train("invalid TOML", card: try card("c-toml", [("[run]", "[run")]), "not valid TOML")
        train("key given twice", card: try card("c-twice", [("steps = 8", "steps = 8\nsteps = 9")]), "'steps'")
        train("missing card", card: "nowhere.toml", "cannot read run card 'nowhere.toml'")
        // PDF sets.
        train("missing PDF set", card: try card("c-pdf", [(pdfLine, pdfLine + "\npdf = \"NoSuchPDF\"")]), "PDF set 'NoSuchPDF' not found")
        train("PDF member beyond the set", card: try card("c-member", [(pdfLine, pdfLine + "\npdf_member = 5000")]), "set 'NNPDF23_lo_as_0130_qed' not found")
        train("truncated PDF grid", card: try pdfCard("pdf-truncated"), "pdf-truncated/NNPDF23_lo_as_0130_qed_0000.dat")
        train("corrupt PDF grid", card: try pdfCard("pdf-garbage"), "as a finite number")
        train("empty PDF grid", card: try pdfCard("pdf-empty"), "pdf-empty/NNPDF23_lo_as_0130_qed_0000.dat:0: no '---'")
        train("corrupt PDF .info", card: try pdfCard("pdf-badinfo"), "NNPDF23_lo_as_0130_qed.info:2: 'AlphaS_MZ'")
        train("PDF .info contradicting the grid", card: try pdfCard("pdf-flavours"), "metadata 'Flavors'")
        // Training options.
        mpi("train over an existing model", { _ in ["train", "--card", "w1.toml", "--output", "w1.h5", "--quiet"] }, "output 'w1.h5' exists",
            leftover: ["w1.h5."])
        train("resume a model of another process", card: "w1.toml", "model 'mu.h5' was trained for another process", ["--resume", "mu.h5"])
        train("--quiet with --verbose", card: "w1.toml", "--quiet and --verbose contradict", ["--verbose"])
        train("zero --steps", card: "w1.toml", "--steps must be ≥ 1", ["--steps=0"])
        mpi("unwritable model path", { _ in ["train", "--card", "w1.toml", "--output", "/proc/nisgen/o.h5", "--quiet"] }, "cannot write to the folder '/proc/nisgen'")
        // Generation.
        generate("model of another process", card: "mu.toml", "trained for other physics")
        generate("truncated model", model: "trunc-model.h5", "model file 'trunc-model.h5'")
        generate("text as model", model: "text.h5", "model file 'text.h5'")
        generate("missing model", model: "nowhere.h5", "model file 'nowhere.h5'")
        generate("unfinished model", model: "unfinished.h5", "not complete")
        generate("an event file as model", model: "e1.h5", "model file 'e1.h5'")
        generate("zero --events", "--events must be ≥ 1", ["--events=0"])
        generate("existing output", "output 'taken.h5' exists", output: "taken.h5", leftover: ["taken.h5.", "taken.json"])
        generate("unwritable output", "cannot write to the folder '/proc/nisgen'", output: "/proc/nisgen/o.h5")
        let o = "o\(all.count)"
        generate("--lhe names the output", "name the same file", ["--lhe", o + ".h5"], output: o + ".h5")
        // Combining, inspecting, plotting.
        serial("events of another process", { ["combine", "--output", $0 + ".h5", "e1.h5", "emu.h5"] }, "event file 'emu.h5' has a different process list")
        serial("events of one seed twice", { ["combine", "--output", $0 + ".h5", "e1.h5", "e1again.h5"] }, "'e1again.h5' has a different seed")
        serial("weighted with unweighted events", { ["combine", "--output", $0 + ".h5", "e1.h5", "eweighted.h5"] }, "'eweighted.h5' has a different weighting")
        serial("truncated event file", { ["combine", "--output", $0 + ".h5", "e1.h5", "trunc-events.h5"] }, "'trunc-events.h5'")
        serial("text as event file", { ["combine", "--output", $0 + ".h5", "text.h5", "e1.h5"] }, "'text.h5'")
        serial("a model as event file", { ["combine", "--output", $0 + ".h5", "w1.h5"] }, "w1.h5")
        serial("missing event file", { ["combine", "--output", $0 + ".h5", "e1.h5", "nowhere.h5"] }, "event file 'nowhere.h5' does not exist")
        serial("combine onto an existing file", { _ in ["combine", "--output", "taken.h5", "e1.h5", "e2.h5"] }, "output 'taken.h5' already exists",
               leftover: ["taken.h5."])
        serial("combine --lhe names the output", { ["combine", "--output", $0 + ".h5", "--lhe", $0 + ".h5", "e1.h5", "e2.h5"] }, "--lhe and --output name the same file")
        serial("combine into an unwritable folder", { _ in ["combine", "--output", "/proc/nisgen/o.h5", "e1.h5", "e2.h5"] }, "'/proc/nisgen/o.h5'")
        serial("inspect a missing file", { _ in ["inspect", "nowhere.h5"] }, "'nowhere.h5' does not exist")
        serial("inspect a truncated file", { _ in ["inspect", "trunc-events.h5", "--verify"] }, "'trunc-events.h5' is neither an HDF5 file")
        serial("inspect --verify a model", { _ in ["inspect", "w1.h5", "--verify"] }, "--verify checks event files")
        serial("inspect a run card", { _ in ["inspect", "w1.toml"] }, "'w1.toml' is neither an HDF5 file")
        serial("inspect a broken summary", { _ in ["inspect", "bad.json"] }, "'bad.json' is not a JSON run summary")
        serial("plot a truncated model", { ["plot", "--model", "trunc-model.h5", "--output", $0] }, "'trunc-model.h5'")
        serial("plot a model as events", { ["plot", "--events", "w1.h5", "--output", $0] }, "'w1.h5': no dataset 'events'")
        serial("plot nothing", { ["plot", "--output", $0] }, "give at least one of --model")
        serial("plot into an unwritable folder", { _ in ["plot", "--model", "w1.h5", "--output", "/proc/nisgen/plots"] }, "cannot write '/proc/nisgen/plots'")
        // Card, compare, integrate, matrix-element, smoke.
        serial("card of an unknown particle", { _ in ["card", "p p > e+ vx j"] }, "unknown particle 'vx'")
        serial("card of a charge-violating process", { _ in ["card", "p p > e- ve j"] }, "'p p > e- ve j' has no partonic subprocess")
        serial("card onto an existing file", { _ in ["card", "p p > e+ ve j", "--output", "taken.h5"] }, "'taken.h5' exists")
        serial("compare a zero-energy card", { _ in ["compare", "--card", "c-zero.toml"] }, "[process] sqrt_s")
        serial("compare a missing card", { _ in ["compare", "--card", "nowhere.toml"] }, "cannot read run card 'nowhere.toml'")
        serial("integrate an unknown toy", { _ in ["integrate", "--toy", "nonsense"] }, "unknown toy integrand 'nonsense'")
        serial("integrate in zero dimensions", { _ in ["integrate", "--toy", "gaussians", "--dimension", "0"] }, "dimension must be ≥ 1")
        serial("integrate an invalid card", { _ in ["integrate", "--card", "c-toml.toml"] }, "not valid TOML")
        serial("matrix element of an unknown particle", { _ in ["matrix-element", "p p > e+ vx j"] }, "unknown particle 'vx'")
        serial("matrix element at negative energy", { _ in ["matrix-element", "u d~ > e+ ve g", "--sqrt-s=-5"] }, "--sqrt-s must be a positive number")
        serial("matrix element of a missing momenta file", { _ in ["matrix-element", "u d~ > e+ ve g", "--momenta", "nowhere.txt"] }, "'nowhere.txt'")
        serial("matrix element of malformed momenta", { _ in ["matrix-element", "u d~ > e+ ve g", "--momenta", "momenta.txt"] }, "momenta.txt: line 1")
        mpi("smoke into an unwritable folder", { _ in ["smoke", "--output", "/proc/nisgen/smoke.h5"] }, "cannot create HDF5 file '/proc/nisgen/smoke.h5'")
        mpi("smoke with negative rows", { ["smoke", "--output", $0 + ".h5", "--rows-per-rank=-1"] }, "--rows-per-rank must be ≥ 0")
        return all
    }

    /// How often `text` contains `part` (mpirun may cut our lines with its own banner, so whole lines are not
    /// counted: the message naming the problem must appear once, not once per rank).
    static func occurrences(of part: String, in text: String) -> Int { text.components(separatedBy: part).count - 1 }

    func testEveryBadInputFailsCleanlyWithOneClearError() throws {
        let dir = Self.fixture
        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        let fm = FileManager.default
        let taken = fm.contents(atPath: dir.appendingPathComponent("taken.h5").path)
        let commands = Set(cases.map { $0.args[0] })
        XCTAssertEqual(commands, ["train", "generate", "combine", "inspect", "plot", "card", "compare", "integrate", "matrix-element", "smoke"])
        var slowest = (name: "", seconds: 0.0)
        for c in cases {
            let start = Date()
            let r = try NisgenProcess.run(ranks: c.launch == .mpi ? 2 : nil, c.args, in: dir, timeout: 60)
            let seconds = Date().timeIntervalSince(start)
            if seconds > slowest.seconds { slowest = (c.name, seconds) }
            let context = "\(c.name) (nisgen \(c.args.joined(separator: " "))):\n\(r.output.suffix(1500))"
            XCTAssertFalse(r.timedOut, "hung (a rank did not exit within 60 s): \(context)")
            XCTAssertNotEqual(r.status, 0, "exit status 0: \(context)")
            XCTAssertTrue(r.stderr.contains(c.expect), "stderr does not say '\(c.expect)': \(context)")
            for crash in ["Fatal error", "Stack dump", "backtrace", "Segmentation fault", "signal 11", "Assertion failed", "exited on signal"] {
                XCTAssertFalse(r.output.contains(crash), "crashed ('\(crash)'): \(context)")
            }
            XCTAssertEqual(Self.occurrences(of: c.expect, in: r.stderr), 1, "the error is not printed exactly once: \(context)")
            let left = try fm.contentsOfDirectory(atPath: dir.path).filter { f in c.leftover.contains { f.hasPrefix($0) } }
            XCTAssertEqual(left, [], "left output behind: \(context)")
        }
        XCTAssertEqual(fm.contents(atPath: dir.appendingPathComponent("taken.h5").path), taken, "an existing output was changed")
        print("bad inputs: \(cases.count) cases over \(commands.count) commands; slowest \(slowest.name) \(String(format: "%.1f", slowest.seconds)) s")
    }
}
