// `nisgen train --card FILE`: the physics run of `nisgen integrate --card` (VEGAS warm-up, NIS training from its
// grids, both measured on fresh samples), then the trained sampler is written as a checkpoint
// ([output] checkpoint, default "sampler.nisckpt"; format in Integrator/SamplerCheckpoint.swift).
import ArgumentParser
import Integrator

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the neural multi-channel sampler for pp → ℓν + jets from a run card and save it.",
        discussion: "Card sections: [process], [cuts], [scales], [training], [output] (see cards/wplus_2j.toml). Defaults are the settings of the headline table (bench/RESULTS-headline.md).")

    @Option(help: "TOML run card with a [process] section.") var card: String
    @Option(help: "Checkpoint file (overrides [output] checkpoint).") var checkpoint: String?
    @Option(help: "Write the results as JSON to this file (overrides [output] json).") var json: String?
    @Option(help: "Print training progress every N steps (0: never).") var progressInterval = 25

    func run() throws {
        guard let text = readCardFile(card) else { throw IntegrateError("cannot read run card '\(card)'") }
        let physics = try PhysicsRunCard(text: text)
        let out = try physics.run(progressInterval: progressInterval)
        print(out.text)
        if let path = json ?? physics.json { try writeTextFile(path, out.json + "\n") }
        let path = checkpoint ?? physics.checkpoint ?? "sampler.nisckpt"
        do { try SamplerCheckpoint(trainer: out.comparison.trainer).write(to: path) } catch { throw IntegrateError("\(error)") }
        print("checkpoint written to \(path)")
    }
}
