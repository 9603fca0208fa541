import XCTest
import Foundation
import Logging
@testable import Report

/// A settable clock and a collecting sink, shared with the reporter's closures.
final class FakeTerminal: @unchecked Sendable {
    private let lock = NSLock()
    private var _now = 100.0
    private var _chunks: [String] = []
    var now: Double {
        get { lock.lock(); defer { lock.unlock() }; return _now }
        set { lock.lock(); _now = newValue; lock.unlock() }
    }
    var chunks: [String] { lock.lock(); defer { lock.unlock() }; return _chunks }
    var text: String { chunks.joined() }
    func write(_ s: String) { lock.lock(); _chunks.append(s); lock.unlock() }

    func reporter(_ mode: ProgressReporter.Mode, total: Int64? = 1000, interval: Double = 10,
                  width: Int = 200) -> ProgressReporter {
        ProgressReporter(label: "train", total: total, mode: mode, interval: interval, redrawInterval: 0.5,
                         width: width, clock: { [unowned self] in self.now }, sink: { [unowned self] in self.write($0) })
    }
}

final class ProgressTests: XCTestCase {
    func testPlainModePrintsAtMostEveryIntervalAndTheLastLine() {
        let t = FakeTerminal()
        let p = t.reporter(.plain)
        t.now = 101; p.update(50, status: "loss 0.5")        // too early: nothing
        XCTAssertEqual(t.chunks, [])
        t.now = 110; p.update(100, status: "loss 0.4")       // 10 s: first line
        t.now = 115; p.update(150, status: "loss 0.3")       // 5 s later: nothing
        t.now = 121; p.update(210, status: "loss 0.2")       // 11 s later: second line
        t.now = 150; p.finish(1000, status: "σ 1049.6 ± 4.3 pb")
        p.update(1000); p.finish()                           // after finish: nothing
        XCTAssertEqual(t.chunks, [
            "train: 10% (100/1,000), 10/s, ETA 1 min 30 s, loss 0.4\n",
            "train: 21% (210/1,000), 10/s, ETA 1 min 19 s, loss 0.2\n",
            "train: 100% (1,000/1,000), 20/s, done in 50 s, σ 1049.6 ± 4.3 pb\n",
        ])
        XCTAssertFalse(t.text.contains("\r"), "no carriage returns in log files")
    }

    func testTerminalModeRedrawsOneLineInPlace() {
        let t = FakeTerminal()
        let p = t.reporter(.terminal, total: 2000)
        t.now = 100.2; p.update(10, status: "ε 2.8 %")       // first call draws at once
        t.now = 100.3; p.update(20)                          // within redrawInterval: skipped
        t.now = 102; p.update(500, status: "ε 3.0 %")
        t.now = 104; p.update(1000)
        t.now = 108; p.finish(2000)
        let c = t.chunks
        XCTAssertEqual(c.count, 5, "\(c)")
        XCTAssertTrue(c.dropLast().allSatisfy { $0.hasPrefix("\r") && !$0.contains("\n") })
        XCTAssertEqual(c.last, "\n")
        XCTAssertEqual(c[1], "\rtrain █████░░░░░░░░░░░░░░░  25%  500/2,000  250/s  ETA 6.0 s  ε 3.0 %")
        XCTAssertTrue(c[3].hasPrefix("\rtrain ████████████████████ 100%  2,000/2,000  250/s  ETA 0 s"), c[3])
        // A shorter line blanks out what the longer one before it left.
        XCTAssertEqual(c[2].count, c[1].count, "status dropped, so padded to the old length")
        XCTAssertTrue(c[2].hasSuffix("    "))
    }

    func testTerminalLineIsCutToTheWidth() {
        let t = FakeTerminal()
        let p = t.reporter(.terminal, width: 40)
        t.now = 101; p.update(10, status: String(repeating: "x", count: 100))
        XCTAssertEqual(t.chunks[0].count, 40, "\\r plus 39 characters: never wraps")
    }

    func testUnknownTotalShowsCountAndRateOnly() {
        let t = FakeTerminal()
        let p = t.reporter(.plain, total: nil, interval: 1)
        t.now = 102; p.update(12_345, status: "events written")
        XCTAssertEqual(t.chunks, ["train: 12,345, 6.2e3/s, events written\n"])
    }

    func testSilentModeAndOtherRanksWriteNothing() {
        let t = FakeTerminal()
        let p = t.reporter(.silent)
        t.now = 200; p.update(10); p.finish(1000)
        XCTAssertEqual(t.chunks, [])
        XCTAssertEqual(ProgressReporter.forRank(1, label: "x", total: 10).mode, .silent)
        XCTAssertEqual(ProgressReporter.forRank(0, label: "x", total: 10, quiet: true).mode, .silent)
        // Under `swift test` stderr is a pipe or a terminal: rank 0 gets one of the two visible modes.
        XCTAssertNotEqual(ProgressReporter.forRank(0, label: "x", total: 10).mode, .silent)
    }
}

final class LoggingTests: XCTestCase {
    func testLineFormatAndLevels() {
        let t = FakeTerminal()
        var logger = Logger(label: "test") { _ in RankLogHandler(rank: 3, level: .info, sink: { t.write($0) }) }
        logger.debug("hidden")
        logger.info("training started")
        logger.warning("loss is NaN", metadata: ["step": "120"])
        logger[metadataKey: "channel"] = "4"
        logger.error("gave up")
        XCTAssertEqual(t.chunks, [
            "[rank 3] info: training started\n",
            "[rank 3] warning: loss is NaN step=120\n",
            "[rank 3] error: gave up channel=4\n",
        ])
    }

    func testVerbosityFlagsToLevels() {
        XCTAssertEqual(RunLogging.level(verbose: false, quiet: false), .info)
        XCTAssertEqual(RunLogging.level(verbose: true, quiet: false), .debug)
        XCTAssertEqual(RunLogging.level(verbose: false, quiet: true), .warning)
        XCTAssertEqual(RunLogging.level(verbose: true, quiet: true), .debug)
    }
}
