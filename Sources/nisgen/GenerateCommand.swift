// `nisgen generate`: unweighted (or weighted) events from a trained model on all MPI ranks, written
// collectively into one LHEH5 file (and converted to LHE on request), with a JSON run summary beside it.
import ArgumentParser
import Cluster
import EventIO
import Integrator
import Physics
import Report
import Logging
import Numerics
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate events from a trained model on all MPI ranks into one LHEH5 file (and LHE on request).",
        discussion: """
        A survey fixes each channel's maximum weight from points of all ranks ([generation] max_weight: the \
        smallest maximum whose overweight events carry at most overweight_share = 0.1 % of σ, or the bootstrap \
        median); trials then pick channels in proportion to their maximum weights and keep points with \
        probability w/w_max (overweight events are kept with weight w/w_max > 1 and counted). σ is the average \
        weight of all trials of all ranks. Stored event weights add up to σ (unweighted: σ/N each, times \
        w/w_max for overweight events). Every rank draws from its own random streams (seed, rank, channel).
        The summary (σ ± δσ per subprocess and in total, events, trials, efficiency, timing, hashes) is printed \
        and written as JSON next to the events (EVENTS.json).

        Example:
          mpirun -np 4 nisgen generate --card cards/wplus_2j.toml --model out/model.h5 --events 100000 \\
              --output out/events.h5 --lhe out/events.lhe --seed 11
        """)

    @Option(help: "TOML run card (the one the model was trained with; [generation] and [output] may differ).") var card: String
    @Option(help: "Model file written by `nisgen train`.") var model: String
    @Option(help: "Events to write, summed over ranks (overrides [generation] events).") var events: Int?
    @Option(name: .shortAndLong, help: "LHEH5 event file (default: [output] events, else <directory>/events.h5).") var output: String?
    @Option(help: "Also write the events as LHE v3 to this file.") var lhe: String?
    @Option(help: "Random seed of the generation (overrides [generation] seed).") var seed: UInt64?
    @Flag(help: "Write weighted events (every trial with a non-zero weight) instead of unweighted ones.") var weighted = false
    @Option(help: "Write the run summary here (default: the event file with .json).") var json: String?
    @Flag(help: "Print nothing but errors and the final result.") var quiet = false
    @Flag(help: "Print debugging details on every rank.") var verbose = false
    @Option(help: "Seconds between progress lines when the output is not a terminal, e.g. a Slurm log.") var progressInterval = 30.0
    @Flag(help: "Continue the run that a stop signal interrupted (its OUTPUT.partial), with the same card, model, seed, events and number of ranks.") var resume = false
    /// Tests: act as if a stop signal arrived after this many write rounds.
    @Option(help: .hidden) var stopAfterRounds: Int?
    /// Tests: NaN for a fraction of one source's values, e.g. matrix_element:0.01 (see FaultInjection).
    @Option(help: .hidden) var injectFaults: String?

    func validate() throws {
        if let events, events <= 0 { throw ValidationError("--events must be ≥ 1, got \(events)") }
        if let injectFaults, FaultInjection(injectFaults) == nil {
            throw ValidationError("--inject-faults wants SOURCE:FRACTION with SOURCE one of \(NumericalFaults.Source.allCases.map(\.key).joined(separator: ", ")), got '\(injectFaults)'")
        }
    }

    func run() throws {
        Job.catchStopSignals()
        Job.run { comm in try generate(comm) }
    }

    func generate(_ comm: MPICommunicator) throws -> Int32 {
        RunLogging.bootstrap(verbose: verbose, quiet: quiet, rank: comm.rank)
        guard let text = readCardFile(card) else { throw IntegrateError("cannot read run card '\(card)'") }
        var rc = try RunCard(text: text)
        if let events { rc.generation.events = events }
        if let seed { rc.generation.seed = seed }
        if weighted { rc.generation.weighted = true }
        let path = output ?? rc.events
        let lhePath = lhe ?? (rc.writeLHE ? rc.lhe : nil)
        let summaryPath = json ?? rc.summaryPath ?? Self.replacingExtension(path, with: ".json")
        for p in [path, lhePath, summaryPath].compactMap({ $0 }) where Job.fileExists(p) {
            throw IntegrateError("output '\(p)' exists; choose another path or delete it")
        }
        let partial = path + ".partial"
        if resume && !Job.fileExists(partial) {
            throw IntegrateError("--resume: there is no interrupted run to continue ('\(partial)' does not exist)")
        }
        if !resume && Job.fileExists(partial) {
            throw IntegrateError("an interrupted run left '\(partial)': continue it with --resume (same card, model, seed, events and ranks) or delete it")
        }
        if let lhePath, lhePath == path { throw IntegrateError("--lhe and --output name the same file '\(path)'") }
        try Job.prepareFolder(for: path, comm: comm)
        if let lhePath { try Job.prepareFolder(for: lhePath, comm: comm) }
        let trained: SamplerModel
        do { trained = try SamplerModelFile.read(from: model) } catch { throw IntegrateError("\(error)") }
        guard trained.cardHash == rc.physicsHash else {
            throw IntegrateError("model '\(model)' was trained for other physics (\(trained.process)) than the card describes (\(rc.setup.process)): process, beams, PDF, model, cuts and scales must agree")
        }
        var integrand: HadronicIntegrand
        do { integrand = try rc.setup.makeIntegrand() } catch { throw IntegrateError("\(error)") }
        integrand.faultInjection = injectFaults.flatMap(FaultInjection.init)
        setBLASThreads(1)
        let generator: EventGenerator
        do { generator = try EventGenerator(integrand: integrand, model: trained, settings: rc.generation, communicator: comm) }
        catch { throw IntegrateError("model '\(model)': \(error)") }
        let maker = try WJetsEventMaker(integrand: integrand)
        let info = try maker.runInfo(weighted: rc.generation.weighted, cardHash: rc.physicsHash, modelHash: trained.fingerprint,
                                     seed: rc.generation.seed)
        var runInfo = info
        runInfo.cardText = text
        let sink: LHEH5Sink
        var resumeState: SinkResumeState? = nil
        if resume {
            do {
                (sink, resumeState) = try LHEH5Sink.resume(path: path, run: runInfo, particlesPerEvent: maker.particlesPerEvent, comm: comm)
            } catch { throw IntegrateError("--resume: \(error)") }
        } else {
            sink = try LHEH5Sink(path: path, run: runInfo, particlesPerEvent: maker.particlesPerEvent, comm: comm,
                                 chunkEvents: max(256, min(rc.generation.flushEvents, 16_384)))
        }
        let target = Int64(rc.generation.events)
        let start = comm.wallTime()
        let bar = ProgressReporter.forRank(comm.rank, label: "events", total: target, quiet: quiet, interval: progressInterval)
        if !quiet {
            Job.say(comm, "generating \(target) \(rc.generation.weighted ? "weighted" : "unweighted") events of \(rc.setup.process) on \(comm.size) rank\(comm.size == 1 ? "" : "s") (seed \(rc.generation.seed))")
        }
        var rounds = 0
        let stopAfterRounds = self.stopAfterRounds
        let outcome = try generator.generate(maker: maker, sinks: [sink], resume: resumeState, stopRequested: {
            Job.stopRequested || stopAfterRounds.map { rounds >= $0 } == true
        }, progress: { written, trials in
            rounds += 1
            bar.update(written, status: "\(Format.count(trials)) trials, efficiency \(plainPercent(Double(written) / Double(max(trials, 1))))")
        })
        bar.finish()
        guard case .finished(let summary) = outcome else {
            if case .interrupted(let done, let target) = outcome {
                Job.say(comm, "stopped after \(Format.count(done)) of \(Format.count(target)) events; '\(partial)' keeps them. Continue with the same command and --resume (same card, model, seed, events and \(comm.size) rank\(comm.size == 1 ? "" : "s"))")
            }
            return JobExit.interrupted
        }
        let seconds = comm.wallTime() - start
        if let lhePath {
            var problem = ""
            if comm.isRoot {
                do { try LHEWriter.convert(try LHEH5File(path: path), to: lhePath) } catch { problem = "\(error)" }
            }
            let message = comm.broadcast(problem, root: 0)
            if !message.isEmpty { throw IntegrateError("LHE file '\(lhePath)': \(message)") }
        }
        if comm.isRoot {
            try writeTextFile(summaryPath, Self.summaryJSON(summary, processes: maker.processes, path: path, lhe: lhePath,
                                                           model: model, trained: trained, rc: rc, ranks: comm.size, seconds: seconds) + "\n")
        }
        let groups = zip(maker.processes, zip(summary.processCrossSections, summary.processErrors))
            .filter { $0.1.0 != 0 }.sorted { $0.1.0 > $1.1.0 }.prefix(5)
            .map { "  \($0.0.name): \(plainSigma($0.1.0, $0.1.1)) pb" }.joined(separator: "\n")
        Job.say(comm, """
        σ = \(plainSigma(summary.crossSection, summary.error)) pb from \(Format.count(summary.trials)) trials (survey \(plainSigma(summary.surveyCrossSection, summary.surveyError)) pb; training measured \(plainSigma(trained.crossSection, trained.error)) pb)
        \(Format.count(summary.events)) events written, efficiency \(plainPercent(summary.efficiency)), \(summary.overweightEvents) overweight (\(plainPercent(summary.overweightShare)) of σ), \(Format.duration(seconds))
        largest subprocesses:
        \(groups)
        events: \(path)\(lhePath.map { "\nLHE: \($0)" } ?? "")
        summary: \(summaryPath)
        """)
        return 0
    }

    static func replacingExtension(_ path: String, with ext: String) -> String {
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") { return String(path[..<dot]) + ext }
        return path + ext
    }

    static func summaryJSON(_ s: GenerationSummary, processes: [EventProcess], path: String, lhe: String?, model: String,
                            trained: SamplerModel, rc: RunCard, ranks: Int, seconds: Double) -> String {
        let faults = NumericalFaults.Source.allCases.map { "\"\($0.key)\": \(s.faults[$0])" }.joined(separator: ", ")
        let procs = processes.indices.map { p in
            "{\"name\": \"\(processes[p].name)\", \"cross_section_pb\": \(jsonNumber(s.processCrossSections[p])), \"error_pb\": \(jsonNumber(s.processErrors[p])), \"events\": \(s.processEvents[p])}"
        }.joined(separator: ", ")
        return "{\"events_file\": \"\(path)\", \"lhe_file\": \(lhe.map { "\"\($0)\"" } ?? "null"), \"model\": \"\(model)\", "
            + "\"process\": \"\(rc.setup.process)\", \"cross_section_pb\": \(jsonNumber(s.crossSection)), \"error_pb\": \(jsonNumber(s.error)), "
            + "\"events\": \(s.events), \"trials\": \(s.trials), \"efficiency\": \(jsonNumber(s.efficiency)), \"weighted\": \(rc.generation.weighted), "
            + "\"overweight_events\": \(s.overweightEvents), \"overweight_share\": \(jsonNumber(s.overweightShare)), "
            + "\"maximum_weight_policy\": \"\(s.estimatorName)\", \"channel_maximum_weights_pb\": [\(s.maximumWeights.map(jsonNumber).joined(separator: ", "))], "
            + "\"unit_weight_pb\": \(jsonNumber(s.unitWeight)), \"survey_cross_section_pb\": \(jsonNumber(s.surveyCrossSection)), \"survey_error_pb\": \(jsonNumber(s.surveyError)), "
            + "\"training_cross_section_pb\": \(jsonNumber(trained.crossSection)), \"training_error_pb\": \(jsonNumber(trained.error)), "
            + "\"non_finite_trials\": \(s.nonFiniteTrials), \"numerical_faults\": {\(faults)}, \"lost_events\": \(s.lostEvents), \"ranks\": \(ranks), "
            + "\"rank_seconds\": [\(s.rankSeconds.map(jsonNumber).joined(separator: ", "))], \"seconds\": \(jsonNumber(seconds)), "
            + "\"seed\": \(rc.generation.seed), \"card_hash\": \"\(rc.physicsHash)\", \"model_hash\": \"\(trained.fingerprint)\", \"processes\": [\(procs)]}"
    }
}
