// `nisgen train`: train the neural multi-channel sampler described by a run card on all MPI ranks and write the
// model file (Integrator/SamplerModelFile.swift) — every `checkpoint_every` steps, when a stop signal arrives
// (then exit 85: resubmit with --resume), and complete with the final measurement at the end.
import ArgumentParser
import Cluster
import Integrator
import Physics
import Report
import Logging
import Numerics
import Foundation

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the neural multi-channel sampler of a run card on all MPI ranks and write the model file.",
        discussion: """
        Multi-channel VEGAS warm-up (channels dealt over the ranks), the VEGAS sampler measured on fresh points, \
        channels re-dealt by cost (σ × time per point), NIS training from the VEGAS grids, and a final measurement \
        of the trained sampler. `batch_size` in [training] is the number of points per step summed over all ranks, \
        so a card gives the same training on any number of ranks (more ranks: less time per step).
        SIGUSR1, SIGTERM or SIGINT: the model file is written after the current step and the program exits with \
        status 85; `--resume MODEL.h5` continues (with the same seed and rank count exactly as if uninterrupted).

        Example:
          mpirun -np 4 nisgen train --card cards/wplus_2j.toml --output out/model.h5
          nisgen train --card cards/wplus_2j.toml --output out/model.h5 --resume out/model.h5
        """)

    @Option(help: "TOML run card.") var card: String
    @Option(name: .shortAndLong, help: "Model file to write (default: [output] model, else <directory>/model.h5).") var output: String?
    @Option(help: "Continue the training stored in this model file.") var resume: String?
    @Option(help: "Training steps (overrides [training] steps).") var steps: Int?
    @Option(help: "Random seed (overrides the card's).") var seed: UInt64?
    @Option(help: "Write the model every N steps (overrides [training] checkpoint_every; 0: only at the end).") var checkpointEvery: Int?
    @Option(help: "Seconds between progress lines when the output is not a terminal, e.g. a Slurm log (0: no progress).") var progressInterval = 30.0
    @Option(help: "Also write the training report as JSON to this file.") var json: String?
    @Flag(help: "Print nothing but errors and the final result.") var quiet = false
    @Flag(help: "Print debugging details (plan, costs, checkpoints) on every rank.") var verbose = false
    @Flag(help: "After training, check that every replica of the channel-weight net and of each shared flow is bit-identical on all ranks (exit 1 if not).") var verifyReplicas = false
    @Option(help: .hidden) var stopAfter: Int?
    /// Tests: NaN for a fraction of one source's values, e.g. matrix_element:0.01 (see FaultInjection).
    @Option(help: .hidden) var injectFaults: String?

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
        if let checkpointEvery, checkpointEvery < 0 { throw ValidationError("--checkpoint-every must be ≥ 0") }
        if progressInterval < 0 { throw ValidationError("--progress-interval must be ≥ 0") }
        if quiet && verbose { throw ValidationError("--quiet and --verbose contradict each other; choose one") }
        if let injectFaults, FaultInjection(injectFaults) == nil {
            throw ValidationError("--inject-faults wants SOURCE:FRACTION with SOURCE one of \(NumericalFaults.Source.allCases.map(\.key).joined(separator: ", ")), got '\(injectFaults)'")
        }
    }

    func run() throws {
        Job.catchStopSignals()
        Job.run { comm in try train(comm) }
    }

    func train(_ comm: MPICommunicator) throws -> Int32 {
        RunLogging.bootstrap(verbose: verbose, quiet: quiet, rank: comm.rank)
        let log = Logger(label: "nisgen.train")
        guard let text = readCardFile(card) else { throw IntegrateError("cannot read run card '\(card)'") }
        var rc = try RunCard(text: text)
        if let steps {
            rc.settings.training.steps = steps
            if case .cosine(_, let minimum) = rc.settings.training.schedule { rc.settings.training.schedule = .cosine(totalSteps: steps, minimum: minimum) }
        }
        if let seed { rc.settings.training.seed = seed }
        if let perRank = rc.batchPerRank { rc.settings.training.batchSize = perRank * comm.size }
        let path = output ?? rc.model
        var previous: SamplerModel?
        if let resume {
            previous = try SamplerModelFile.read(from: resume)
            guard previous!.cardHash == rc.physicsHash else {
                throw IntegrateError("model '\(resume)' was trained for another process or physics settings (\(previous!.process)); the card describes \(rc.setup.process)")
            }
            if previous!.complete {
                Job.say(comm, "model '\(resume)' is already complete (\(previous!.stepsDone) steps): nothing to do")
                return 0
            }
        } else if Job.fileExists(path) {
            throw IntegrateError("output '\(path)' exists; choose another --output, delete it, or continue it with --resume \(path)")
        }
        try Job.prepareFolder(for: path, comm: comm)
        var integrand: HadronicIntegrand
        do { integrand = try rc.setup.makeIntegrand() } catch { throw IntegrateError("\(error)") }
        integrand.faultInjection = injectFaults.flatMap(FaultInjection.init)
        setBLASThreads(1)
        let adapting = rc.settings.sampledHelicityTraining ? try integrand.withSampledHelicities() : nil
        var provenance = SamplerModel(dimension: integrand.dimension, channelCount: integrand.channelCount, flow: rc.settings.options.flow,
                                      vegasBins: rc.settings.vegasBins, seed: rc.settings.training.seed, rankCount: comm.size)
        provenance.cardText = text
        provenance.cardHash = rc.physicsHash
        provenance.process = rc.setup.process
        provenance.subprocesses = integrand.eventProcesses.map(\.name)
        provenance.channelNames = integrand.channels.map(\.name)
        provenance.uniformFraction = rc.settings.options.uniformFraction
        provenance.defensiveMixtureUsesVegasGrid = rc.settings.options.defensiveMixtureUsesVegasGrid
        provenance.flowsInGridCoordinates = rc.settings.options.flowsInGridCoordinates
        provenance.channelWeightHidden = rc.settings.options.trainChannelWeights ? rc.settings.options.channelWeightHidden : []
        provenance.featureCount = integrand.featureCount
        // Collectives are timed so the report can say what being distributed costs.
        let timed = TimedCommunicator(comm)
        let run = try TrainingRun(integrand: integrand, trainingIntegrand: adapting, settings: rc.settings,
                                  provenance: provenance, communicator: timed)
        run.checkpointInterval = checkpointEvery ?? rc.checkpointEvery
        let stopAfter = self.stopAfter
        var stepsSeen = 0
        run.stopRequested = {
            // --stop-after K (for tests of resume) acts like a stop signal arriving during this run's step K.
            Job.stopRequested || stopAfter.map { stepsSeen >= $0 } == true
        }
        let steps = rc.settings.training.steps
        if !quiet {
            Job.say(comm, "\(rc.setup.process) at √s = \(rc.setup.sqrtS) GeV: \(integrand.channelCount) channels, dimension \(integrand.dimension), \(integrand.eventProcesses.count) subprocesses; \(comm.size) rank\(comm.size == 1 ? "" : "s")")
        }
        let start = comm.wallTime()
        let bar = ProgressReporter.forRank(comm.rank, label: "training", total: Int64(steps), quiet: quiet || progressInterval == 0,
                                           interval: progressInterval)
        var trainingStart = 0.0, trainingEnd = 0.0, trainingCollectives = 0.0, collectiveCalls = 0, reducedBytes = 0, firstStep = 0
        let outcome: TrainingRun.Outcome
        do { outcome = try run.run(resume: previous, modelPath: path) { event in
            if case .planned = event { trainingStart = comm.wallTime(); timed.reset() }
            if case .resumed(let k) = event { trainingStart = comm.wallTime(); timed.reset(); firstStep = k }
            if case .step = event { stepsSeen += 1 }
            if case .step(let p) = event, p.step == steps {
                trainingCollectives = timed.seconds; collectiveCalls = timed.calls; reducedBytes = timed.allreduceBytes
                trainingEnd = comm.wallTime()
            }
            guard !quiet else { return }
            switch event {
            case .vegasIteration(let k, let n, let r):
                Job.say(comm, "VEGAS warm-up \(k)/\(n): σ = \(plainSigma(r.integral, r.error)) pb")
            case .vegasMeasured(let r):
                Job.say(comm, "VEGAS measured: σ = \(plainSigma(r.integral, r.error)) pb, unweighting efficiency \(plainPercent(r.unweightingEfficiency))")
            case .planned(let plan, let costs):
                let owners = plan.owners.enumerated().map { "\($0.offset)→\($0.element.map(String.init).joined(separator: ","))" }
                Job.say(comm, "channels by cost (channel→ranks): \(owners.joined(separator: " "))")
                log.debug("channel costs (σ × s/point): \(costs.map { shortNumber($0) }.joined(separator: " "))")
            case .resumed(let step):
                Job.say(comm, "resuming at step \(step)/\(steps)")
            case .step(let p):
                bar.update(Int64(p.step), status: "loss \(shortNumber(p.loss))  σ \(plainSigma(p.integral, p.error)) pb  ε \(plainPercent(p.efficiency))")
                if p.step == steps { bar.finish() }
            case .saved(let step, let where_):
                if step < steps { log.info("model written to \(where_) (step \(step))") } else { Job.say(comm, "model written to \(where_)") }
            case .measured(let r):
                Job.say(comm, "NIS measured: σ = \(plainSigma(r.integral, r.error)) pb, unweighting efficiency \(plainPercent(r.unweightingEfficiency))")
            }
        } } catch IntegratorError.stoppedDuringWarmUp {
            Job.say(comm, "\(IntegratorError.stoppedDuringWarmUp); start it again to train")
            return JobExit.interrupted
        }
        let seconds = comm.wallTime() - start
        bar.finish()
        let trainingWall = max((trainingEnd > 0 ? trainingEnd : comm.wallTime()) - trainingStart, 1e-9)
        // Rank 0's share of the training loop spent in collectives (including waiting for other ranks).
        let collectiveShare = trainingCollectives / trainingWall
        let m = outcome.model
        if verifyReplicas {
            let report = ReplicaCheck.run(run.lastTrainer, communicator: comm)
            Job.say(comm, report.text)
            if !report.identical { return 1 }
        }
        if !outcome.completed {
            Job.say(comm, "stopped at step \(m.stepsDone)/\(steps); continue with: nisgen train --card \(card) --output \(path) --resume \(path)")
            return JobExit.interrupted
        }
        // Points of the training steps with NaN or infinite values (excluded from the loss), over all ranks.
        var faultCounts = run.lastTrainer?.numericalFaults.counts ?? NumericalFaults().counts
        comm.allreduce(&faultCounts, .sum)
        let faults = NumericalFaults(counts: faultCounts)
        let ratio = m.vegasEfficiency > 0 ? m.efficiency / m.vegasEfficiency : 0
        let heldOutCalls = run.lastTrainer?.selection?.heldOutCalls ?? 0
        var kept = "kept the last state (snapshot selection off)"
        if let snap = m.snapshot, let last = m.heldOutScores.last {
            kept = "kept the state of step \(snap.step)/\(m.stepsDone): held-out rel. std per point \(shortNumber(snap.relativeStandardDeviation))"
                + (snap.step == last.step ? "" : " (last step \(last.relativeStandardDeviation.isFinite ? shortNumber(last.relativeStandardDeviation) : "∞"))")
                + ", \(heldOutCalls) held-out points"
        }
        Job.say(comm, """
        trained \(m.stepsDone) steps in \(Format.duration(seconds)) on \(comm.size) rank\(comm.size == 1 ? "" : "s")
        σ (NIS)   = \(plainSigma(m.crossSection, m.error)) pb, unweighting efficiency \(plainPercent(m.efficiency))
        σ (VEGAS) = \(plainSigma(m.vegasCrossSection, m.vegasError)) pb, unweighting efficiency \(plainPercent(m.vegasEfficiency)) (NIS/VEGAS \(shortNumber(ratio)))
        \(kept)
        model: \(path)
        time in collectives: \(shortNumber(100 * collectiveShare)) % of the training loop on rank 0
        numerical faults in the training steps (points excluded): \(faults.summary)
        """)
        if let json, comm.isRoot {
            let report = "{\"model\": \"\(path)\", \"process\": \"\(m.process)\", \"ranks\": \(comm.size), \"steps\": \(m.stepsDone), "
                + "\"cross_section_pb\": \(jsonNumber(m.crossSection)), \"error_pb\": \(jsonNumber(m.error)), \"efficiency\": \(jsonNumber(m.efficiency)), "
                + "\"vegas_cross_section_pb\": \(jsonNumber(m.vegasCrossSection)), \"vegas_error_pb\": \(jsonNumber(m.vegasError)), "
                + "\"vegas_efficiency\": \(jsonNumber(m.vegasEfficiency)), \"training_calls\": \(m.integrandCalls), \"seconds\": \(jsonNumber(seconds)), "
                + "\"training_loop_seconds\": \(jsonNumber(trainingWall)), \"collective_share\": \(jsonNumber(collectiveShare)), "
                + "\"collective_calls_per_step\": \(jsonNumber(Double(collectiveCalls) / Double(max(steps - firstStep, 1)))), "
                + "\"allreduce_bytes_per_step\": \(jsonNumber(Double(reducedBytes) / Double(max(steps - firstStep, 1)))), "
                + "\"batch_size\": \(rc.settings.training.batchSize), \"channels\": \(integrand.channelCount), "
                + "\"calls_per_second\": \(jsonNumber(Double(m.integrandCalls) / m.trainingSeconds.nonZero)), "
                + "\"numerical_faults\": {\(NumericalFaults.Source.allCases.map { "\"\($0.key)\": \(faults[$0])" }.joined(separator: ", "))}, "
                + "\"selected_step\": \(m.snapshot?.step ?? m.stepsDone), \"held_out_points\": \(heldOutCalls), "
                + "\"seed\": \(m.seed), \"card_hash\": \"\(m.cardHash)\", \"model_hash\": \"\(m.fingerprint)\"}"
            try writeTextFile(json, report + "\n")
        }
        return 0
    }
}

// Numbers for people (Report.Format): σ to the error's two significant digits, efficiencies in percent.
func plainSigma(_ value: Double, _ error: Double) -> String { Format.measurement(value, error: error) }
func plainPercent(_ x: Double) -> String { Format.efficiency(x) }
func shortNumber(_ x: Double) -> String { Format.significant(x, digits: 3) }

extension Double {
    /// self, or a tiny positive number instead of 0 (for rates).
    var nonZero: Double { self > 0 ? self : 1e-300 }
}
