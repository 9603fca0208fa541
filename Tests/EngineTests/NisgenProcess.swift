// Runs the built `nisgen` under real mpirun (or alone) and the Python clients, with time limits, for the
// engine tests. Every run works in a fresh scratch folder.
import Foundation
import XCTest
import TestSupport

enum NisgenProcess {
    static var nisgen: String { BuiltProducts.folder.appendingPathComponent("nisgen").path }
    /// The repository root (for cards, .venv and the check script).
    static var repository: URL { BuiltProducts.repository }
    static var python: String { BuiltProducts.python }
    static var checkScript: String { repository.appendingPathComponent("Tests/EngineTests/check_events.py").path }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let timedOut: Bool
        var output: String { stdout + stderr }
    }

    /// `ranks` nil: the binary alone (one rank without mpirun).
    static func run(ranks: Int?, _ arguments: [String], in folder: URL, timeout: Double = 600) throws -> Result {
        let p = Process()
        if let ranks {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["mpirun", "-np", String(ranks), "--oversubscribe", nisgen] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: nisgen)
            p.arguments = arguments
        }
        return try launch(p, in: folder, timeout: timeout)
    }

    static func python(_ arguments: [String], in folder: URL, timeout: Double = 300) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [checkScript] + arguments
        return try launch(p, in: folder, timeout: timeout)
    }

    /// The last line of a check script's output as JSON.
    static func json(_ r: Result) throws -> [String: Any] {
        guard let line = r.stdout.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw NSError(domain: "check", code: 1, userInfo: [NSLocalizedDescriptionKey: "no JSON in: \(r.output.suffix(2000))"])
        }
        return object
    }

    static func launch(_ p: Process, in folder: URL, timeout: Double) throws -> Result {
        p.environment = BuiltProducts.mpiEnvironment
        p.currentDirectoryURL = folder
        let outFile = folder.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let errFile = folder.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile)
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline { timedOut = true; p.terminate(); kill(-p.processIdentifier, SIGKILL); break }
            usleep(50_000)
        }
        p.waitUntilExit()
        try out.close(); try err.close()
        let o = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        let e = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: outFile)
        try? FileManager.default.removeItem(at: errFile)
        return Result(status: p.terminationStatus, stdout: o, stderr: e, timedOut: timedOut)
    }

    /// A fresh scratch folder holding the given cards (name → text).
    static func scratch(_ name: String, cards: [String: String] = [:]) throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("nisgen-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The PDF set is found through the card's pdf_path: point it at the repository's .venv.
        for (file, text) in cards { try text.write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8) }
        return dir
    }

    /// A tiny run card: `jets` partons, small budgets, the repository's PDF set; extra lines for [training]
    /// and [generation].
    static func card(jets: Int, seed: Int = 7, training: String = "", generation: String = "") -> String {
        let process = "p p > e+ ve" + String(repeating: " j", count: jets)
        let venv = repository.appendingPathComponent(".venv").path
        let budget = jets == 1
            ? "vegas_iterations = 3\nvegas_points = 3000\nsteps = 30\nbatch_size = 512\nevaluation_points = 5000"
            : "vegas_iterations = 3\nvegas_points = 1500\nsteps = 12\nbatch_size = 384\nevaluation_points = 3000"
        return """
        [process]
        process = "\(process)"
        sqrt_s = 13000.0
        pdf_path = ["\(venv)"]

        [training]
        \(budget)
        flow_bins = 8
        flow_units = 8
        \(training)

        [generation]
        events = 300
        survey_points = 4000
        \(generation)

        [output]
        directory = "out"

        [run]
        seed = \(seed)
        """
    }
}
