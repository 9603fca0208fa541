// The helicity configurations a matrix element sums over: every combination of external helicity states,
// in Gray-code order (consecutive configurations differ in few legs, so few currents need recomputing), minus
// those that vanish identically. Massless chirality (and the left-handed W) makes whole configurations exactly
// zero; they are found once by evaluating every configuration at an arbitrary probe point, where an exact 0
// can only be structural.
import Kinematics

struct HelicityConfigurations {
    /// Helicity index per recursion leg (0: −, 1: +; on-shell W: polarisation 0…2).
    var configurations: [[Int]] = []
    /// Bit mask of the legs whose helicity differs from the previous configuration (all for the first).
    var changedLegs: [Int] = []

    init(program: CurrentProgram, sources: [LegSource], model: StandardModel) {
        let legs = program.legs
        let states: [Int] = sources.map { if case .onShellW = $0 { return 3 }; if case .leptons = $0 { return 1 }; return 2 }
        let binary = states.indices.filter { states[$0] == 2 }
        let wStates = states.contains(3) ? 3 : 1
        let wLeg = states.firstIndex { $0 != 2 }
        var all: [[Int]] = []
        for w in 0..<wStates {
            for g in 0..<(1 << binary.count) {
                let gray = g ^ (g >> 1)
                var h = [Int](repeating: 0, count: legs.count)
                for (bit, leg) in binary.enumerated() { h[leg] = (gray >> bit) & 1 }
                if let wl = wLeg { h[wl] = w }
                all.append(h)
            }
        }
        var ws = CurrentWorkspace(program: program)
        var probe: [FourVector] = []
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func rnd() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
        for leg in legs {
            let (x, y, z) = (rnd() - 0.5, rnd() - 0.5, rnd() - 0.5)
            let p = (x * x + y * y + z * z).squareRoot()
            if case .w = leg { probe.append(FourVector(2 * p + 1, x, y, z)) } else { probe.append(FourVector(p, x, y, z)) }
        }
        program.prepare(&ws, legMomenta: probe)
        for h in all {
            TreeMatrixElement.setLeaves(program, &ws, legs: legs, momenta: probe, helicities: h, leptonic: nil, model: model)
            program.evaluate(&ws, changed: -1)
            if ws.amplitudes.contains(where: { $0.norm2 > 0 }) { configurations.append(h) }
        }
        for (i, h) in configurations.enumerated() {
            if i == 0 { changedLegs.append(-1); continue }
            var m = 0
            for k in h.indices where h[k] != configurations[i - 1][k] { m |= 1 << k }
            changedLegs.append(m)
        }
    }
}
