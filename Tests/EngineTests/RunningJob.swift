// A `mpirun … nisgen …` job started in the background, for the fault tests: its output can be read while it
// runs, its rank processes found by their OMPI_COMM_WORLD_RANK and killed, and its end awaited with a time limit.
import Foundation
import TestSupport

final class RunningJob {
    let process = Process()
    let folder: URL
    private let outFile: URL
    private let errFile: URL
    private let out: FileHandle
    private let err: FileHandle
    let started = Date()

    /// Start `mpirun -np ranks --oversubscribe nisgen arguments…` in `folder`.
    init(ranks: Int, _ arguments: [String], in folder: URL) throws {
        self.folder = folder
        outFile = folder.appendingPathComponent(".job-stdout-\(UUID().uuidString)")
        errFile = folder.appendingPathComponent(".job-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        out = try FileHandle(forWritingTo: outFile)
        err = try FileHandle(forWritingTo: errFile)
        // mpirun itself (not /usr/bin/env): its pid is the parent of the rank processes.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        process.arguments = ["-np", String(ranks), "--oversubscribe", NisgenProcess.nisgen] + arguments
        process.environment = BuiltProducts.mpiEnvironment
        process.currentDirectoryURL = folder
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    deinit {
        if process.isRunning { killAll() }
        try? FileManager.default.removeItem(at: outFile)
        try? FileManager.default.removeItem(at: errFile)
    }

    var stdout: String { (try? String(contentsOf: outFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errFile, encoding: .utf8)) ?? "" }
    var output: String { stdout + stderr }

    /// Pids of the rank processes mpirun started (its children), keyed by their rank.
    func ranks() -> [Int: pid_t] {
        var found = [Int: pid_t]()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), Self.parent(of: pid) == process.processIdentifier,
                  let rank = Self.worldRank(of: pid) else { continue }
            found[rank] = pid
        }
        return found
    }

    /// Wait until `condition` holds (polled every 0.1 s) or `timeout` seconds pass; true if it held.
    func wait(upTo timeout: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// Wait for mpirun to end; nil if it still runs after `timeout` seconds (then everything is killed).
    func waitForExit(timeout: Double) -> Int32? {
        let ended = wait(upTo: timeout) { !process.isRunning }
        guard ended else {
            killAll()
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        try? out.close(); try? err.close()
        return process.terminationStatus
    }

    /// SIGKILL the ranks and mpirun (the clean-up of a hung job).
    func killAll() {
        for pid in ranks().values { kill(pid, SIGKILL) }
        kill(process.processIdentifier, SIGKILL)
    }

    private static func statFields(of pid: pid_t) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm) ": state, ppid, …
        return text[text.index(after: close)...].split(separator: " ")
    }

    static func parent(of pid: pid_t) -> pid_t? { statFields(of: pid).flatMap { $0.count > 1 ? pid_t($0[1]) : nil } }
    static func state(of pid: pid_t) -> String? { statFields(of: pid)?.first.map(String.init) }

    static func worldRank(of pid: pid_t) -> Int? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if text.hasPrefix("OMPI_COMM_WORLD_RANK=") { return Int(text.dropFirst("OMPI_COMM_WORLD_RANK=".count)) }
        }
        return nil
    }
}
