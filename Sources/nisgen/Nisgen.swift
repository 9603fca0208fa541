// The nisgen command line: one file per subcommand; this file lists them and reports command-line errors once
// per job (under mpirun every rank parses the same arguments; only the first rank prints the complaint).
import ArgumentParser
import Foundation

@main
struct Nisgen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nisgen",
        abstract: "Neural multi-channel importance sampling and LHC event generation on MPI clusters.",
        subcommands: [Train.self, Generate.self, Combine.self, Inspect.self, Plot.self, Card.self, Compare.self, Integrate.self, MatrixElementCommand.self, Smoke.self]
    )

    /// This process's rank in an MPI launch (mpirun, or srun with PMIx), read before MPI starts; 0 alone.
    static var launchRank: Int {
        let env = ProcessInfo.processInfo.environment
        return (env["OMPI_COMM_WORLD_RANK"] ?? env["PMIX_RANK"]).flatMap(Int.init) ?? 0
    }

    static func main() {
        let command: ParsableCommand
        do { command = try parseAsRoot() } catch { leave(with: error) }
        do {
            var running = command
            try running.run()
        } catch { leave(with: error) }
    }

    /// ArgumentParser's exit for `error` (message and status) on the first rank; the others only the status.
    private static func leave(with error: Error) -> Never {
        if launchRank == 0 { exit(withError: error) }
        Foundation.exit(exitCode(for: error).rawValue)
    }
}
