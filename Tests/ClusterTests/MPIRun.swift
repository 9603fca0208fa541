// Launch a built executable under real mpirun and capture its output.
import Foundation
import TestSupport

enum MPIRun {
    static var productsFolder: URL { BuiltProducts.folder }

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static func run(ranks: Int, executable: String, arguments: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["mpirun", "-np", String(ranks), "--oversubscribe",
                       productsFolder.appendingPathComponent(executable).path] + arguments
        p.environment = BuiltProducts.mpiEnvironment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    /// Lines starting with "rank N", keyed by N.
    static func rankLines(_ text: String) -> [Int: [String]] {
        var out: [Int: [String]] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            if words.count >= 2, words[0] == "rank", let r = Int(words[1]) { out[r] = words }
        }
        return out
    }
}
