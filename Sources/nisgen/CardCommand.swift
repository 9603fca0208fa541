// `nisgen card PROCESS`: print an annotated run card with every key at its default for that process (the
// headline table's settings for its jet multiplicity) — the card reference, always in step with the code.
import ArgumentParser
import Integrator
import HeadlineSettings
import Physics

struct Card: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an annotated default run card for a process.",
        discussion: """
        Every section and key the run card understands, at its default for the process's jet multiplicity, with \
        a comment saying what it does. Save it, delete what you do not want to change, and run it:

          nisgen card "p p > e+ ve j j j" > w3j.toml
          mpirun -np 4 nisgen train --card w3j.toml && mpirun -np 4 nisgen generate --card w3j.toml --model out/model.h5
        """)

    @Argument(help: "MadGraph-style process, e.g. \"p p > e+ ve j j\" (W⁺ → e⁺νₑ plus two jets).") var process: String
    @Option(help: "Write the card to this file instead of standard output.") var output: String?

    func run() throws {
        var setup = CollisionSetup()
        setup.process = process
        do { try setup.validateProcessOnly() } catch { throw IntegrateError("\(error)") }
        let text = try RunCard.annotatedDefault(process: process)
        if let output {
            guard !Job.fileExists(output) else { throw IntegrateError("'\(output)' exists; choose another file") }
            try writeTextFile(output, text)
        } else {
            print(text, terminator: "")
        }
    }
}

extension RunCard {
    /// The card text with every key at its default for `process`; parsing it gives exactly those defaults.
    static func annotatedDefault(process: String) throws -> String {
        let jets = try jetCount(process: process)
        let s = SamplerComparisonSettings.wPlusJets(jets: jets)
        let g = GenerationSettings(events: 10_000)
        let setup = CollisionSetup(), m = setup.model
        func n(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(format: "%.1f", x) : "\(x)" }
        let loss: String
        switch s.training.loss {
        case .variance: loss = "variance"
        case .stratifiedVariance: loss = "stratified"
        case .softClippedVariance: loss = "softclip"
        case .kl: loss = "kl"
        case .reverseKL: loss = "rkl"
        }
        let name = process.replacingOccurrences(of: " ", with: "")
        return """
        # Run card for \(process) (\(jets) jet\(jets == 1 ? "" : "s")), every key at its default; written by `nisgen card`.
        # train:    mpirun -np N nisgen train --card THIS.toml
        # generate: mpirun -np M nisgen generate --card THIS.toml --model <[output] directory>/model.h5
        # Unknown sections and keys are errors. A line you delete keeps its default.

        [process]
        process = "\(process)"
        sqrt_s = \(n(setup.sqrtS))             # pp centre-of-mass energy, GeV
        pdf = "\(setup.pdfSet)"  # LHAPDF set name, folder or member file
        pdf_member = \(setup.pdfMember)
        pdf_path = [".venv"]          # folders searched before LHAPDF_DATA_PATH
        include_bottom = \(setup.includeBottom)        # b quarks in p and j
        max_propagators = \(setup.maxPropagators)           # most massless s-channel propagators per phase-space channel

        [model]                       # Gμ scheme inputs (GeV, GeV⁻²); α and sin²θW are derived
        mz = \(m.mZ)
        mw = \(m.mW)
        gf = \(m.gF)
        width_w = \(m.widthW)
        width_z = \(m.widthZ)
        cabibbo_angle = \(n(m.cabibboAngle))           # 0: diagonal CKM

        [cuts]                        # a negative value removes a cut; the lepton is inclusive by default
        jet_pt_min = \(n(setup.cuts.jetPTMin ?? -1))             # GeV
        jet_eta_max = \(n(setup.cuts.jetEtaMax ?? -1))
        jet_dr_min = \(setup.cuts.jetDeltaRMin ?? -1)
        lepton_pt_min = -1.0          # GeV
        lepton_eta_max = -1.0
        missing_et_min = -1.0         # GeV
        mt_w_min = -1.0               # GeV, transverse mass of ℓν

        [scales]
        choice = "mt_half"            # mt_half: ½(Σ pT,jets + mT(ℓν)); ht_half, htprime_half, fixed (then fixed = μ in GeV)
        mu_r_factor = 1.0
        mu_f_factor = 1.0

        [training]
        vegas_iterations = \(s.vegasIterations)          # multi-channel VEGAS warm-up; the flows start from its grids
        vegas_points = \(s.vegasPointsPerIteration)          # points per warm-up iteration, summed over ranks
        vegas_bins = \(s.vegasBins)
        vegas_damping = \(s.vegasDamping)           # grid damping exponent α
        sampled_helicity = \(s.sampledHelicityTraining)     # warm-up and training on helicity-sampled |M|² (measurements exact)
        steps = \(s.training.steps)                   # NIS training steps
        batch_size = \(s.training.batchSize)             # points per step, summed over all ranks (the same training on any rank count)
        # batch_per_rank = 1024       # instead of batch_size: points per step per rank (more ranks, larger steps)
        learning_rate = \(s.training.learningRate)
        schedule = "cosine"           # constant, cosine, exponential
        loss = "\(loss)"            # variance, stratified, softclip, kl, rkl
        buffered_steps = \(s.training.bufferedStepsPerFreshStep)            # replayed steps per fresh step (0: off)
        buffer_capacity = \(s.training.bufferCapacity)
        drop_threshold = 0.0          # drop channels below this share of σ (0: never); the rest are re-dealt over the ranks
        drop_interval = \(s.training.droppingInterval)
        channel_weights = \(s.options.trainChannelWeights)       # train the channel-weight network
        density_aware_weights = \(s.options.densityAwareChannelWeights) # α ∝ a·g: channel weights on every channel's density (cannot open holes)
        flow_bins = \(s.options.flow.bins)                # spline bins
        flow_layers = \(s.options.flow.hiddenLayers)
        flow_units = \(s.options.flow.hiddenUnits)
        defensive_fraction = 0.0      # ε of each flow's mixture with its VEGAS grid (bounds weights by w_VEGAS/ε)
        evaluation_points = \(s.evaluationPoints)    # fresh points measuring VEGAS and the trained sampler
        flow_on_vegas_grid = \(s.options.flowsInGridCoordinates)   # flows act in their VEGAS grids' coordinates (start exactly at the grids)
        held_out_points = \(s.training.heldOutPoints)     # VEGAS points scoring the states of training; the best is kept (0: the last)
        held_out_interval = \(s.training.effectiveHeldOutInterval)       # steps between those scores (default: a twentieth of the steps)
        max_weight = "bootstrap"      # maximum-weight estimate of those measurements: bootstrap or quantile
        budget_scale = 1.0            # multiplies the point budgets above (steps stay)
        checkpoint_every = 0          # write the model every N steps (0: at the end and on SIGUSR1/SIGTERM)

        [generation]
        events = \(g.events)                # events written, summed over ranks
        weighted = \(g.weighted)              # true: weighted events (every trial with w ≠ 0)
        max_weight = "cross_section_share"   # or "bootstrap"
        overweight_share = \(String(describing: 1e-3))      # overweight events carry at most this share of σ
        survey_points = \(g.surveyPoints)        # points (all ranks) that fix each channel's maximum weight
        batch_size = \(g.batchSize)             # trial points per rank and batch
        flush_events = \(g.flushEvents)          # events per collective write round (and the resume granularity)
        max_fault_share = \(String(describing: g.maximumFaultShare))       # stop when more trials than this have NaN/inf values
        lhe = false                   # also write LHE v3

        [output]
        directory = "out/\(name.isEmpty ? "run" : name.replacingOccurrences(of: ">", with: "_"))"
        # model = "…/model.h5"; events = "…/events.h5"; lhe = "…/events.lhe"; summary = "…/events.json"; json = "…"

        [run]
        seed = 1                      # training and generation seed (a section's own seed wins)

        """
    }
}
