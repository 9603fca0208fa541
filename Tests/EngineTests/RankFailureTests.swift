// A rank that dies (SIGKILL, as the kernel's OOM killer or a failing node does it) in the middle of
// `nisgen train` or `nisgen generate` on 2 ranks: the job ends within seconds, mpirun's message names the
// rank, the exit status is not 0, no rank process is left behind and no output file looks complete.
import XCTest
import Foundation
import EventIO
import Integrator

final class RankFailureTests: XCTestCase {
    /// What mpirun (OpenMPI 4.1) prints when rank 1 is killed: "mpirun noticed that process rank 1 with PID 0
    /// on node … exited on signal 9 (Killed)." (the PID it prints is 0: an OpenMPI quirk).
    static let rankMessage = "process rank 1 with PID"
    static let signalMessage = "exited on signal 9 (Killed)"
    /// Seconds from the SIGKILL to mpirun's exit we accept (measured here: ~2 s).
    static let stopLimit = 15.0

    struct Outcome {
        let status: Int32?
        let secondsToStop: Double
        let output: String
        let rankPIDs: [Int: pid_t]
    }

    /// Start the job, wait until `started` holds (it must, within `startTimeout` seconds), SIGKILL rank 1,
    /// and time how long mpirun takes to end.
    func killRankOne(_ arguments: [String], in dir: URL, startTimeout: Double = 240,
                     started: (RunningJob) -> Bool) throws -> Outcome {
        let job = try RunningJob(ranks: 2, arguments, in: dir)
        let ready = job.wait(upTo: startTimeout) { started(job) || !job.process.isRunning }
        XCTAssertTrue(ready && job.process.isRunning, "the job never reached the point to kill it: \(job.output.suffix(3000))")
        guard ready && job.process.isRunning else { _ = job.waitForExit(timeout: 5); throw XCTSkip("job did not start") }
        let ranks = job.ranks()
        let victim = try XCTUnwrap(ranks[1], "no rank 1 among mpirun's children: \(ranks)")
        XCTAssertNotNil(ranks[0], "no rank 0 among mpirun's children: \(ranks)")
        let killedAt = Date()
        XCTAssertEqual(kill(victim, SIGKILL), 0)
        let status = job.waitForExit(timeout: 120)
        let seconds = Date().timeIntervalSince(killedAt)
        print("RankFailureTests: \(arguments.first ?? ""): mpirun ended \(String(format: "%.2f", seconds)) s after SIGKILL of rank 1 (pid \(victim)), status \(status.map(String.init) ?? "hung")")
        return Outcome(status: status, secondsToStop: seconds, output: job.output, rankPIDs: ranks)
    }

    func assertStoppedCleanly(_ o: Outcome, _ what: String) {
        XCTAssertNotNil(o.status, "\(what): the job hung after rank 1 died: \(o.output.suffix(3000))")
        XCTAssertLessThan(o.secondsToStop, Self.stopLimit, "\(what): took \(o.secondsToStop) s to stop")
        XCTAssertNotEqual(o.status, 0, "\(what): exit status 0 after a rank died")
        XCTAssertTrue(o.output.contains(Self.rankMessage) && o.output.contains(Self.signalMessage),
                      "\(what): no message naming the dead rank: \(o.output.suffix(3000))")
        for (rank, pid) in o.rankPIDs {
            // Gone, or a zombie waiting for init to reap it (mpirun ended before it was reaped): not running.
            let state = RunningJob.state(of: pid)
            XCTAssertTrue(state == nil || state == "Z", "\(what): rank \(rank) (pid \(pid)) still runs (state \(state ?? "")) after mpirun ended")
        }
    }

    func testTrainingStopsWithinSecondsWhenARankIsKilled() throws {
        let dir = try NisgenProcess.scratch("rankfail-train", cards: ["w1.toml": NisgenProcess.card(jets: 1)])
        defer { try? FileManager.default.removeItem(at: dir) }
        // 400 steps (minutes), a checkpoint every 2 steps: the kill lands mid-training, after checkpoints exist.
        let o = try killRankOne(["train", "--card", "w1.toml", "--output", "model.h5", "--steps", "400",
                                 "--checkpoint-every", "2", "--progress-interval", "0.5"], in: dir) { job in
            job.stderr.contains("training:") && FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.h5").path)
        }
        assertStoppedCleanly(o, "train")
        // A checkpoint may stay (that is what --resume is for), but it must say it is not finished.
        for name in ["model.h5", "model.h5.partial"] where FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path) {
            if let m = try? SamplerModelFile.read(from: dir.appendingPathComponent(name).path) {
                XCTAssertFalse(m.complete, "\(name) looks complete after rank 1 died")
                XCTAssertLessThan(m.stepsDone, 400)
            }
        }
    }

    func testGenerationStopsWithinSecondsWhenARankIsKilled() throws {
        let dir = GenerationEngineTests.shared
        // The shared model's card with small write rounds, so that events reach the file within seconds.
        try NisgenProcess.card(jets: 1, generation: "flush_events = 500").write(to: dir.appendingPathComponent("w1-flush.toml"),
                                                                               atomically: true, encoding: .utf8)
        let o = try killRankOne(["generate", "--card", "w1-flush.toml", "--model", "w1.h5", "--events", "200000",
                                 "--output", "killed.h5", "--seed", "41", "--progress-interval", "0.5"], in: dir) { job in
            // Events are being written: the progress line has a non-zero count.
            job.stderr.range(of: #"events: +[0-9]+% \([1-9]"#, options: .regularExpression) != nil
        }
        assertStoppedCleanly(o, "generate")
        let published = dir.appendingPathComponent("killed.h5").path
        XCTAssertFalse(FileManager.default.fileExists(atPath: published), "a killed run published its event file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("killed.json").path))
        // The partial file may stay, but not looking complete.
        let partial = published + ".partial"
        if FileManager.default.fileExists(atPath: partial), let h5 = try? H5Reader(path: partial) {
            XCTAssertFalse(h5.hasAttribute("complete") && (try? h5.int64Attribute("complete")) == 1, "the .partial file says complete = 1")
        }
        XCTAssertThrowsError(try LHEH5File(path: published), "readers must refuse the unfinished run")
        try? FileManager.default.removeItem(atPath: partial)
    }
}
