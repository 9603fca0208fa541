// Log lines of every rank on stderr as `[rank N] level: message`, so interleaved MPI output stays attributable.
// Bootstrap once per process, before the first Logger is made (swift-log allows a single bootstrap).
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

public struct RankLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let rank: Int
    private let sink: @Sendable (String) -> Void

    /// `sink` receives whole lines, newline included (tests pass a collector; the default writes to stderr).
    public init(rank: Int, level: Logger.Level = .info,
                sink: @escaping @Sendable (String) -> Void = RankLogHandler.writeToStandardError) {
        self.rank = rank
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink(Self.line(rank: rank, level: event.level, message: event.message.description,
                       metadata: metadata.merging(event.metadata ?? [:]) { _, new in new }))
    }

    /// `[rank 0] info: message key=value` — metadata keys sorted so lines are reproducible.
    public static func line(rank: Int, level: Logger.Level, message: String, metadata: Logger.Metadata = [:]) -> String {
        var s = "[rank \(rank)] \(level.rawValue): \(message)"
        for key in metadata.keys.sorted() { s += " \(key)=\(metadata[key]!)" }
        return s + "\n"
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { text in
        fputs(text, stderr)
    }
}

public enum RunLogging {
    /// `--verbose` → debug, `--quiet` → warning, otherwise info (verbose wins if both are given: the user
    /// asked to see more somewhere).
    public static func level(verbose: Bool, quiet: Bool) -> Logger.Level {
        verbose ? .debug : (quiet ? .warning : .info)
    }

    /// Route every `Logger` of the process to `RankLogHandler` on stderr. Call once, early in `run()`.
    public static func bootstrap(level: Logger.Level, rank: Int) {
        LoggingSystem.bootstrap { _ in RankLogHandler(rank: rank, level: level) }
    }

    public static func bootstrap(verbose: Bool, quiet: Bool, rank: Int) {
        bootstrap(level: level(verbose: verbose, quiet: quiet), rank: rank)
    }
}
