// The fuzz loop, run in a child process that FuzzHarnessTests starts (this test binary again, with this test
// selected and NISGEN_FUZZ_* in the environment; run directly, it skips). Before each attempt the input is
// written to `<work>/<file name>`, so when the child dies or stalls the harness knows the input that did it.
// The child caps its own address space, so runaway memory ends as a failed allocation (a crash) instead of
// swapping the machine.
import XCTest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class FuzzDriver: XCTestCase {
    struct Stats: Codable {
        var inputs = 0
        var rejected = 0
        var accepted = 0
        var seconds = 0.0
    }

    func testDrive() throws {
        let env = ProcessInfo.processInfo.environment
        guard let name = env["NISGEN_FUZZ_TARGET"], let work = env["NISGEN_FUZZ_WORK"] else {
            throw XCTSkip("started by FuzzHarnessTests as a child process")
        }
        let target = try XCTUnwrap(FuzzTarget.named(name), "no fuzz target '\(name)'")
        let folder = URL(fileURLWithPath: work)
        let input = folder.appendingPathComponent(target.fileName)
        limitAddressSpace(extraMegabytes: Int(env["NISGEN_FUZZ_MEMORY_MB"] ?? "") ?? 2048)
        var stats = Stats()
        let start = Date()
        func attempt(_ bytes: [UInt8]) throws {
            try Data(bytes).write(to: input)
            stats.inputs += 1
            do { try target.check(input.path, folder); stats.accepted += 1 } catch { stats.rejected += 1 }
        }
        if let replay = env["NISGEN_FUZZ_REPLAY"] {
            // Regression mode: each file once, in name order.
            for file in try FileManager.default.contentsOfDirectory(atPath: replay).sorted() where !file.hasPrefix(".") && file != "README.md" {
                try attempt(Array(try Data(contentsOf: URL(fileURLWithPath: replay).appendingPathComponent(file))))
            }
        } else {
            let seconds = Double(env["NISGEN_FUZZ_SECONDS"] ?? "") ?? 60
            var rng = FuzzRandom(seed: UInt64(env["NISGEN_FUZZ_SEED"] ?? "") ?? 1)
            let seeds = try (env["NISGEN_FUZZ_SEEDS"] ?? "").split(separator: ":").map { Array(try Data(contentsOf: URL(fileURLWithPath: String($0)))) }
            XCTAssertFalse(seeds.isEmpty, "no seed inputs")
            let mutator = Mutator(text: target.text)
            let inputs = Int(env["NISGEN_FUZZ_INPUTS"] ?? "") ?? .max
            while stats.inputs < inputs, Date().timeIntervalSince(start) < seconds, !seeds.isEmpty {
                try attempt(mutator.mutate(seeds[rng.below(seeds.count)], &rng))
            }
        }
        stats.seconds = Date().timeIntervalSince(start)
        try JSONEncoder().encode(stats).write(to: folder.appendingPathComponent("stats.json"))
    }

    /// RLIMIT_AS = what the process maps now plus `extraMegabytes`.
    private func limitAddressSpace(extraMegabytes: Int) {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmSize:") }
        let kilobytes = line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var limit = rlimit()
        limit.rlim_cur = rlim_t((kilobytes + extraMegabytes * 1024) * 1024)
        limit.rlim_max = limit.rlim_cur
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
    }
}
