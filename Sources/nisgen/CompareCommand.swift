// `nisgen compare --card FILE`: the VEGAS-versus-NIS comparison of a physics run card on one rank (the
// headline table's procedure: VEGAS warm-up, VEGAS measured, NIS trained from its grids, NIS measured on
// fresh points of the same size with the same maximum-weight policy). `integrate --card` does the same.
import ArgumentParser
import Cluster

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare multi-channel VEGAS and neural importance sampling on a physics run card (one rank).",
        discussion: """
        Not what produces events (that is `train` then `generate`): a measurement of how much the neural sampler \
        gains over VEGAS for the card, as in the README's headline table.

        Example:
          nisgen compare --card cards/wplus_2j.toml --json out/compare.json
        """)

    @Option(help: "TOML run card with a [process] section.") var card: String
    @Option(help: "Write the report as JSON to this file (overrides [output] json).") var json: String?
    @Option(help: "Print training progress every N steps (0: never).") var progressInterval = 50

    func run() throws {
        guard let text = readCardFile(card) else { throw IntegrateError("cannot read run card '\(card)'") }
        let physics = try RunCard(text: text)
        let out = try physics.run(progressInterval: progressInterval)
        print(out.text)
        if let path = json ?? physics.json {
            try Job.prepareFolder(for: path, comm: SerialCommunicator())
            try writeTextFile(path, out.json + "\n")
        }
    }
}
