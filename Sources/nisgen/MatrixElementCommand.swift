// `nisgen matrix-element`: evaluate |M|² of every partonic subprocess of a process at given or random
// phase-space points, like MadGraph's standalone `check`.
import ArgumentParser
import Amplitudes
import Kinematics
import Numerics
import Foundation

struct MatrixElementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix-element",
        abstract: "Evaluate tree-level |M|² for every subprocess of a process (e.g. \"p p > e+ ve j j\").",
        discussion: """
        Momenta file: one phase-space point per block of lines "E px py pz" (GeV), one line per leg in the order \
        of the process string (two incoming, then outgoing); blocks separated by blank lines, '#' starts a comment. \
        Without --momenta, N points are drawn with RAMBO at fixed √s and seed.
        """)

    @Argument(help: "Process string, MadGraph style, e.g. \"p p > e+ ve j\" or \"u d~ > e+ ve g\".")
    var process: String

    @Option(name: .long, help: "File with momenta (see discussion).")
    var momenta: String?

    @Option(name: .long, help: "Number of random points when no momenta file is given.")
    var points = 1

    @Option(name: .customLong("sqrt-s"), help: "Partonic centre-of-mass energy of random points, GeV.")
    var sqrtS = 1000.0

    @Option(name: .long, help: "Seed of the random points.")
    var seed: UInt64 = 1

    @Option(name: .customLong("alpha-s"), help: "Strong coupling α_s.")
    var alphaS = 0.118

    @Option(name: .long, help: "Cabibbo angle (0: diagonal CKM).")
    var cabibbo = 0.0

    @Flag(name: .customLong("include-bottom"), help: "Include b quarks in p and j.")
    var includeBottom = false

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .long, help: "Only list the subprocesses and their grouping.")
    var list = false

    func validate() throws {
        guard points >= 1 else { throw ValidationError("--points must be ≥ 1") }
        guard sqrtS.isFinite, sqrtS > 0 else { throw ValidationError("--sqrt-s must be a positive number") }
        guard alphaS.isFinite, alphaS > 0 else { throw ValidationError("--alpha-s must be positive") }
    }

    func run() throws {
        var model = StandardModel()
        model.cabibboAngle = cabibbo
        let proc: Amplitudes.Process
        do { proc = try Amplitudes.Process(process, options: ProcessOptions(includeBottom: includeBottom, model: model)) }
        catch let e as AmplitudeError { throw ValidationError(e.description) }
        if list { print(proc.summary); return }
        let first = proc.groups[0].members[0].subprocess
        let legCount = first.incoming.count + first.outgoing.count
        let masses = first.outgoing.map { abs($0) == 24 ? model.mW : 0.0 }

        var pointList: [[FourVector]] = []
        if let path = momenta {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read momenta file '\(path)'")
            }
            do { pointList = try MomentumPoints.parse(text, legs: legCount) }
            catch let e as MomentumPointsError { throw ValidationError("\(path): \(e.description)") }
        } else {
            guard sqrtS > masses.reduce(0, +) else { throw ValidationError("--sqrt-s is below the final-state mass threshold") }
            var rng = RandomStream(seed: seed)
            for _ in 0..<points { pointList.append(Rambo.event(sqrtS: sqrtS, masses: masses) { rng.uniform() }) }
        }

        var rows: [[String: Any]] = []
        for (pi, p) in pointList.enumerated() {
            if !json {
                print("# point \(pi + 1)")
                for (i, v) in p.enumerated() { print(String(format: "#   %2d  %+.10e %+.10e %+.10e %+.10e", i + 1, v.e, v.px, v.py, v.pz)) }
            }
            for g in proc.groups {
                for m in g.members {
                    let value = g.matrixElement.squared(m.legOrder.map { p[$0] }, alphaS: alphaS)
                    let name = (m.subprocess.incoming.map(PDG.name) + [">"] + m.subprocess.outgoing.map(PDG.name)).joined(separator: " ")
                    if json {
                        rows.append(["point": pi + 1, "subprocess": name, "pdg": m.subprocess.incoming + m.subprocess.outgoing, "me2": value])
                    } else {
                        print(name.padding(toLength: max(36, name.count), withPad: " ", startingAt: 0) + " " + String(format: "%.12e", value))
                    }
                }
            }
        }
        if json {
            let out: [String: Any] = ["process": process, "alpha_s": alphaS, "subprocesses": proc.subprocesses.count,
                                      "groups": proc.groups.count, "results": rows]
            let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
