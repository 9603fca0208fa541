// Starts one child process with its standard error in a file (standard output discarded: the fuzz driver's
// readers print summaries), polls it, and kills it on a deadline or when `stop` says it is stuck.
import Foundation

enum ChildProcess {
    struct Result {
        let status: Int32
        let output: String
        /// Killed at the deadline.
        let timedOut: Bool
        /// Killed because `stop` returned true.
        let stopped: Bool
    }

    static func run(_ executable: String, _ arguments: [String], in folder: URL, environment: [String: String]? = nil,
                    timeout: Double, stop: () -> Bool = { false }) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.currentDirectoryURL = folder
        if let environment { p.environment = environment }
        let log = folder.appendingPathComponent(".child-stderr-\(UUID().uuidString.prefix(8))")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = handle
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false, stopped = false
        while p.isRunning {
            if Date() > deadline { timedOut = true } else if stop() { stopped = true }
            if timedOut || stopped { kill(p.processIdentifier, SIGKILL); break }
            usleep(100_000)
        }
        p.waitUntilExit()
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: log)
        return Result(status: p.terminationStatus, output: output, timedOut: timedOut, stopped: stopped)
    }
}
