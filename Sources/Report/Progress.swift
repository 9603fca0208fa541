// Progress of a long loop (training steps, generated events) for the person watching rank 0.
// On a terminal: one line redrawn in place (bar, percentage, count/total, rate, ETA, caller's status).
// Elsewhere (Slurm logs, pipes): plain lines at most every `interval` seconds plus the final one, because
// carriage returns turn a log file into one unreadable line. Other ranks and `quiet` runs get `.silent`.
// Clock, sink and terminal flag are injectable so tests are deterministic.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class ProgressReporter: @unchecked Sendable {
    public enum Mode: Sendable, Equatable {
        case terminal
        case plain
        case silent
    }

    public let mode: Mode
    public let label: String
    public let total: Int64?
    /// Plain mode: least seconds between two lines.
    public let interval: Double
    /// Terminal mode: least seconds between two redraws (a redraw per step would flood a slow terminal).
    public let redrawInterval: Double
    /// Terminal mode: characters the line may take (it is cut there, so it never wraps).
    public let width: Int

    private let clock: @Sendable () -> Double
    private let sink: @Sendable (String) -> Void
    private let lock = NSLock()
    private let start: Double
    private var lastEmit: Double
    private var lastLineLength = 0
    private var finished = false
    private var lastCompleted: Int64 = 0
    private var lastStatus = ""

    public init(label: String, total: Int64?, mode: Mode, interval: Double = 30, redrawInterval: Double = 0.1,
                width: Int = 100, clock: @escaping @Sendable () -> Double = ProgressReporter.monotonicSeconds,
                sink: @escaping @Sendable (String) -> Void = ProgressReporter.writeToStandardError) {
        self.label = label
        self.total = total.map { max($0, 0) }
        self.mode = mode
        self.interval = max(interval, 0)
        self.redrawInterval = max(redrawInterval, 0)
        self.width = max(width, 20)
        self.clock = clock
        self.sink = sink
        start = clock()
        lastEmit = start
    }

    /// The reporter a run should use: silent unless rank 0 and not quiet; a live bar when stderr is a
    /// terminal, plain periodic lines otherwise.
    public static func forRank(_ rank: Int, label: String, total: Int64?, quiet: Bool = false,
                               interval: Double = 30) -> ProgressReporter {
        let mode: Mode
        if rank != 0 || quiet {
            mode = .silent
        } else {
            mode = isatty(STDERR_FILENO) == 1 ? .terminal : .plain
        }
        return ProgressReporter(label: label, total: total, mode: mode, interval: interval,
                                width: terminalColumns() ?? 100)
    }

    /// Report that `completed` units are done; `status` is shown after the rate (e.g. "loss 0.12, σ 1049 ± 5 pb").
    public func update(_ completed: Int64, status: String = "") {
        lock.lock(); defer { lock.unlock() }
        guard mode != .silent, !finished else { return }
        lastCompleted = completed
        lastStatus = status
        let now = clock()
        switch mode {
        case .terminal:
            guard lastLineLength == 0 || now - lastEmit >= redrawInterval else { return }
            redraw(completed: completed, status: status, now: now)
        case .plain:
            guard now - lastEmit >= interval else { return }
            sink(plainLine(completed: completed, status: status, now: now, done: false) + "\n")
        case .silent:
            return
        }
        lastEmit = now
    }

    /// The final state, always shown (once); later calls to `update` and `finish` do nothing.
    public func finish(_ completed: Int64? = nil, status: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        guard mode != .silent, !finished else { return }
        finished = true
        let c = completed ?? lastCompleted
        let s = status ?? lastStatus
        let now = clock()
        switch mode {
        case .terminal:
            redraw(completed: c, status: s, now: now)
            sink("\n")
        case .plain:
            sink(plainLine(completed: c, status: s, now: now, done: true) + "\n")
        case .silent:
            break
        }
    }

    // MARK: lines

    /// Units per second since the reporter was made; nil before any time has passed.
    private func rate(_ completed: Int64, now: Double) -> Double? {
        let elapsed = now - start
        return elapsed > 0 ? Double(completed) / elapsed : nil
    }

    private func eta(_ completed: Int64, now: Double) -> Double? {
        guard let total, let r = rate(completed, now: now), r > 0, completed > 0 else { return nil }
        return Double(max(total - completed, 0)) / r
    }

    private func fractionDone(_ completed: Int64) -> Double? {
        guard let total, total > 0 else { return nil }
        return min(max(Double(completed) / Double(total), 0), 1)
    }

    func terminalLine(completed: Int64, status: String, now: Double) -> String {
        var parts: [String] = []
        if let f = fractionDone(completed) {
            let barWidth = 20
            let filled = Int((f * Double(barWidth)).rounded(.down))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
            parts.append(label + " " + bar + " " + percent(f))
            parts.append(Format.count(completed) + "/" + Format.count(total ?? 0))
        } else {
            parts.append(label + " " + Format.count(completed))
        }
        if let r = rate(completed, now: now) { parts.append(Format.rate(r)) }
        if total != nil {
            let e = eta(completed, now: now)
            parts.append("ETA " + (e.map(Format.duration) ?? "?"))
        }
        if !status.isEmpty { parts.append(status) }
        return String(parts.joined(separator: "  ").prefix(width - 1))
    }

    func plainLine(completed: Int64, status: String, now: Double, done: Bool) -> String {
        var s = label + ": "
        if let f = fractionDone(completed) {
            s += percent(f, padded: false) + " (" + Format.count(completed) + "/" + Format.count(total ?? 0) + ")"
        } else {
            s += Format.count(completed)
        }
        if let r = rate(completed, now: now) { s += ", " + Format.rate(r) }
        if done {
            s += ", done in " + Format.duration(now - start)
        } else if total != nil {
            s += ", ETA " + (eta(completed, now: now).map(Format.duration) ?? "?")
        }
        if !status.isEmpty { s += ", " + status }
        return s
    }

    /// Padded to three digits on the terminal so the line does not jitter as the number grows.
    private func percent(_ f: Double, padded: Bool = true) -> String {
        let p = Int((f * 100).rounded(.down))   // 99.7 % is not done yet: never show 100 % early
        return (padded ? String(repeating: " ", count: 3 - String(p).count) : "") + "\(p)%"
    }

    private func redraw(completed: Int64, status: String, now: Double) {
        let line = terminalLine(completed: completed, status: status, now: now)
        let length = line.count
        // Carriage return, the line, and blanks over what a longer previous line left behind.
        let pad = max(lastLineLength - length, 0)
        sink("\r" + line + String(repeating: " ", count: pad))
        lastLineLength = length
    }

    // MARK: defaults

    public static let monotonicSeconds: @Sendable () -> Double = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { text in
        fputs(text, stderr)
        fflush(stderr)
    }

    /// Width of the terminal on stderr, or $COLUMNS; nil when neither is known.
    static func terminalColumns() -> Int? {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return nil
    }
}
