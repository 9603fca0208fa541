// `nisgen inspect FILE [--verify]`: what a model file, an event file or a run summary says, for people; with
// --verify an event file's every event is checked (counts, momentum conservation, on-shell masses, the W row,
// cuts of the card stored in the file, colour tags, NaNs, σ bookkeeping), exit status 1 on any problem.
import ArgumentParser
import EventIO
import Integrator
import Kinematics
import Physics
import Report
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a model file, an LHEH5 event file or a run summary; --verify checks an event file.",
        discussion: """
        Examples:
          nisgen inspect out/model.h5
          nisgen inspect out/events.h5 --verify
          nisgen inspect out/events.json
        """)

    @Argument(help: "A model file, an LHEH5 event file (.h5) or a JSON run summary.") var file: String
    @Flag(help: "Check every event of an event file; exit 1 if any check fails.") var verify = false

    func run() throws {
        guard Job.fileExists(file) else {
            throw IntegrateError(Job.fileExists(file + ".partial") ? "'\(file)' does not exist, but '\(file).partial' does: the run that wrote it did not finish" : "'\(file)' does not exist")
        }
        if file.hasSuffix(".json") { return try summary() }
        let h5: H5Reader
        do { h5 = try H5Reader(path: file) } catch H5Error.cannotOpen {
            throw IntegrateError("'\(file)' is neither an HDF5 file (model or events; truncated or damaged?) nor a .json run summary")
        } catch { throw IntegrateError("\(error)") }
        guard h5.hasDataset("particles") else {
            if verify { throw IntegrateError("--verify checks event files; '\(file)' holds no events (a model file?)") }
            return try model()
        }
        let problems = try events()
        if verify && problems > 0 { throw ExitCode(1) }
    }

    func model() throws {
        let m: SamplerModel
        do { m = try SamplerModelFile.read(from: file) } catch { throw IntegrateError("\(error)") }
        let owners = m.owners.enumerated().map { "\($0.offset)→\($0.element.map(String.init).joined(separator: ","))" }.joined(separator: " ")
        print("""
        model file     \(file) (\(m.complete ? "complete" : "training not finished: \(m.stepsDone) of \(m.totalSteps) steps; continue with --resume"))
        process        \(m.process): \(m.subprocesses.count) subprocesses, \(m.channelCount) channels (\(m.active.filter { $0 }.count) active), dimension \(m.dimension)
        flows          \(m.flow.bins) bins, \(m.flow.hiddenLayers) × \(m.flow.hiddenUnits) hidden units; VEGAS grids of \(m.vegasBins) bins; \(m.channelWeightParameters.isEmpty ? "" : "trained channel-weight net on ")\(m.channelWeightsUseChannelDensities ? "every channel's density (density-aware)" : m.channelWeightParameters.isEmpty ? "prior channel weights" : "the prior")
        training       \(m.stepsDone) steps, \(Format.count(m.integrandCalls)) integrand calls (+ \(Format.count(m.pretrainingCalls)) warm-up), \(Format.duration(m.trainingSeconds)), \(m.rankCount) rank\(m.rankCount == 1 ? "" : "s"), channels→ranks \(owners)
        σ (NIS)        \(m.complete ? Format.measurement(m.crossSection, error: m.error, unit: "pb") + ", unweighting efficiency " + Format.efficiency(m.efficiency) : "not measured yet")
        σ (VEGAS)      \(m.vegasCrossSection > 0 ? Format.measurement(m.vegasCrossSection, error: m.vegasError, unit: "pb") + ", unweighting efficiency " + Format.efficiency(m.vegasEfficiency) : "not measured")
        card hash      \(m.cardHash); model hash \(m.fingerprint); seed \(m.seed)
        """)
    }

    func summary() throws {
        guard let data = FileManager.default.contents(atPath: file),
              let s = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw IntegrateError("'\(file)' is not a JSON run summary")
        }
        func d(_ k: String) -> Double { (s[k] as? Double) ?? Double((s[k] as? Int) ?? 0) }
        print("""
        run summary    \(file)
        process        \(s["process"] as? String ?? "?")
        σ              \(Format.measurement(d("cross_section_pb"), error: d("error_pb"), unit: "pb"))
        events         \(Format.count(Int(d("events")))) from \(Format.count(Int(d("trials")))) trials, efficiency \(Format.efficiency(d("efficiency")))\((s["weighted"] as? Bool) == true ? " (weighted)" : "")
        overweight     \(Int(d("overweight_events"))) events carrying \(Format.efficiency(d("overweight_share"))) of σ
        ranks / time   \(Int(d("ranks"))), \(Format.duration(d("seconds")))
        files          \(s["events_file"] as? String ?? "?")\((s["lhe_file"] as? String).map { ", " + $0 } ?? "")
        card / model   \(s["card_hash"] as? String ?? "?") / \(s["model_hash"] as? String ?? "?"), seed \(Int(d("seed")))
        """)
    }

    /// Prints the summary and, with --verify, the checks; returns the number of problems found.
    func events() throws -> Int {
        let f: LHEH5File
        do { f = try LHEH5File(path: file) } catch { throw IntegrateError("\(error)") }
        let t = f.totals
        print("""
        event file     \(file)
        process        \(f.run.processes.count) subprocesses, \(f.particlesPerEvent) particle rows per event, beams \(f.run.beamA) \(f.run.beamB) at \(Format.significant(f.run.energyA, digits: 5)) + \(Format.significant(f.run.energyB, digits: 5)) GeV, LHAPDF \(f.run.pdfSetID)
        σ              \(Format.measurement(t.crossSection, error: t.error, unit: "pb"))
        events         \(Format.count(f.eventCount)) \(f.run.weighted ? "weighted" : "unweighted") from \(Format.count(t.trials)) trials (efficiency \(Format.efficiency(Double(t.events) / Double(max(t.trials, 1)))))
        card / model   \(f.run.cardHash) / \(f.run.modelHash), seed \(f.run.seed)
        """)
        guard verify else { return 0 }
        var problems = [String]()
        func problem(_ text: String) { if problems.count < 20 { problems.append(text) } else if problems.count == 20 { problems.append("…") } }
        let card = try? RunCard(text: f.run.cardText)
        let cuts = card?.setup.cuts
        if cuts == nil { problem("the file's run card cannot be read: cuts not checked") }
        if let card, card.physicsHash != f.run.cardHash {
            problem("the run card stored in the file does not match its cardHash (the card's physics hash is \(card.physicsHash), cardHash \(f.run.cardHash))")
        }
        if f.run.cardHash.isEmpty || f.run.modelHash.isEmpty { problem("the file's provenance is incomplete: cardHash or modelHash is empty") }
        if Int64(f.eventCount) != t.events { problem("eventCount says \(t.events), the file holds \(f.eventCount) events") }
        var weightSum = 0.0, trialSum: Int64 = 0, bad = 0
        for range in f.chunks(of: 10_000) {
            for (k, e) in try f.events(range).enumerated() {
                let i = range.lowerBound + k
                let before = problems.count
                check(e, index: i, processes: f.run.processes, cuts: cuts, problem: problem)
                if problems.count > before { bad += 1 }
                weightSum += e.relativeWeight
                trialSum = trialSum.addingReportingOverflow(max(e.trials, 0)).partialValue
                if e.trials < 0 || trialSum < 0 { problem("event \(i): trials \(e.trials) is not a count") }
            }
        }
        // Written as "not within" so that a NaN anywhere counts as a mismatch.
        let scale = max(abs(t.crossSection), 1e-300)
        if !(abs(weightSum - t.crossSection) <= 1e-9 * scale) { problem("event weights add up to \(weightSum) pb, the file's σ is \(t.crossSection) pb") }
        let processSum = t.processCrossSections.reduce(0, +)
        if !(abs(processSum - t.crossSection) <= 1e-9 * scale) { problem("procInfo cross sections add up to \(processSum) pb, not σ = \(t.crossSection) pb") }
        if let p = t.processCrossSections.indices.first(where: { !(t.processCrossSections[$0] >= 0 && t.processErrors[$0] >= 0) }) {
            problem("procInfo row \(p + 1) has σ = \(t.processCrossSections[p]) ± \(t.processErrors[p]) pb")
        }
        if trialSum > t.trials { problem("the events' trials add up to \(trialSum), more than the run's \(t.trials)") }
        if !(t.crossSection.isFinite && t.error.isFinite && t.error >= 0) { problem("σ = \(t.crossSection) ± \(t.error) is not a number") }
        if problems.isEmpty {
            print("verified       \(Format.count(f.eventCount)) events: counts, momentum conservation, on-shell masses, W rows, cuts, colour flows and σ bookkeeping all pass")
        } else {
            print("FAILED         \(bad) of \(Format.count(f.eventCount)) events have problems; first ones:")
            for p in problems { print("  " + p) }
        }
        return problems.count
    }

    func check(_ e: EventRecord, index i: Int, processes: [EventProcess], cuts: Cuts?, problem: (String) -> Void) {
        let rows = e.particles
        guard processes.indices.contains(e.processID - 1) else {
            problem("event \(i): process id \(e.processID) is not one of the file's \(processes.count) subprocesses"); return
        }
        if rows.count != processes[e.processID - 1].legs {
            problem("event \(i): \(rows.count) particles, but subprocess \(e.processID) has \(processes[e.processID - 1].legs)"); return
        }
        if e.trials < 1 { problem("event \(i): \(e.trials) trials") }
        let numbers = rows.flatMap { [$0.px, $0.py, $0.pz, $0.e, $0.m] } + [e.relativeWeight, e.scale, e.alphaS]
        if numbers.contains(where: { !$0.isFinite }) { problem("event \(i): NaN or infinite numbers"); return }
        let incoming = rows.filter { $0.status == -1 }, outgoing = rows.filter { $0.status == 1 }
        guard incoming.count == 2 else { problem("event \(i): \(incoming.count) incoming particles"); return }
        func v(_ p: EventParticle) -> FourVector { FourVector(p.e, p.px, p.py, p.pz) }
        let sumE = (incoming + outgoing).reduce(0) { $0 + $1.e }
        let balance = incoming.map(v).reduce(FourVector.zero, +) - outgoing.map(v).reduce(FourVector.zero, +)
        if max(abs(balance.e), abs(balance.px), abs(balance.py), abs(balance.pz)) > 1e-9 * sumE {
            problem("event \(i): momentum not conserved (imbalance \(balance))")
        }
        for p in rows where p.status != 2 && abs(v(p).m2) > 1e-8 * p.e * p.e {
            problem("event \(i): particle \(p.id) off shell (m² = \(v(p).m2) GeV²)")
        }
        // The mass column must be the four-momentum's mass (0 for the massless partons and leptons).
        for p in rows where abs(p.m * p.m - v(p).m2) > 1e-8 * p.e * p.e {
            problem("event \(i): particle \(p.id) has mass column m = \(p.m) GeV, its four-momentum has m² = \(v(p).m2) GeV²")
        }
        let leptons = outgoing.filter { (11...16).contains(abs($0.id)) }
        let resonances = rows.filter { $0.status == 2 }
        if resonances.count == 1, abs(resonances[0].id) == 24, leptons.count == 2 {
            let w = v(resonances[0]), pair = v(leptons[0]) + v(leptons[1])
            if max(abs(w.e - pair.e), abs(w.px - pair.px), abs(w.py - pair.py), abs(w.pz - pair.pz)) > 1e-9 * sumE
                || abs(resonances[0].m - max(pair.m2, 0).squareRoot()) > 1e-6 * max(resonances[0].m, 1) {
                problem("event \(i): the W row is not ℓ + ν")
            }
        } else {
            problem("event \(i): no W resonance row with its two leptons")
        }
        // Colour: outgoing (colour, anticolour) as written, incoming crossed; every line must close.
        var colours = [Int32](), anticolours = [Int32]()
        for p in rows {
            let parton = abs(p.id) <= 6 || p.id == 21
            guard parton && p.status != 2 else {
                if p.colour1 != 0 || p.colour2 != 0 { problem("event \(i): colourless particle \(p.id) carries colour") }
                continue
            }
            let (c, a) = p.status == 1 ? (p.colour1, p.colour2) : (p.colour2, p.colour1)
            let quarkLike = (p.id > 0) == (p.status == 1)
            let ok = p.id == 21 ? (p.colour1 > 0 && p.colour2 > 0) : (quarkLike ? (c > 0 && a == 0) : (c == 0 && a > 0))
            if !ok { problem("event \(i): parton \(p.id) (status \(p.status)) has colour tags \(p.colour1) \(p.colour2)") }
            if c > 0 { colours.append(c) }
            if a > 0 { anticolours.append(a) }
        }
        if colours.sorted() != anticolours.sorted() || Set(colours).count != colours.count {
            problem("event \(i): colour lines do not close (\(colours) vs \(anticolours))")
        }
        if let cuts {
            // Slot order of the physics: beams, ℓ, ν, partons.
            let partons = outgoing.filter { abs($0.id) <= 6 || $0.id == 21 }
            let charged = leptons.first { [11, 13, 15].contains(abs($0.id)) }, neutrino = leptons.first { [12, 14, 16].contains(abs($0.id)) }
            if let charged, let neutrino {
                let slots = incoming.map(v) + [v(charged), v(neutrino)] + partons.map(v)
                if !cuts.passes(slots, partons: partons.count) { problem("event \(i): fails the run card's cuts") }
            }
        }
    }
}
