// The nisgen command line: one file per subcommand; this file only lists them.
import ArgumentParser

@main
struct Nisgen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nisgen",
        abstract: "Neural multi-channel importance sampling and LHC event generation on MPI clusters.",
        subcommands: [Train.self, Generate.self, Combine.self, Inspect.self, Plot.self, Card.self, Compare.self, Integrate.self, MatrixElementCommand.self, Smoke.self]
    )
}
