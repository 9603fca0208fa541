// Exact tree-level |M|² of one partonic subprocess with a W (decaying to ℓν or on shell): helicity sums over
// the non-vanishing configurations, exact colour sums through the flow basis, averaging and symmetry factors.
import Kinematics

/// Errors in building a matrix element or a process.
public enum AmplitudeError: Error, CustomStringConvertible, Equatable {
    case unknownParticle(String)
    case malformedProcess(String)
    case chargeNotConserved(String)
    case noSubprocesses(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .unknownParticle(let s): return "unknown particle '\(s)' (known: d u s c b and ~ antiquarks, g, e- e+ mu- mu+ ve ve~ vm vm~, W+ W-, multiparticles p j)"
        case .malformedProcess(let s): return "malformed process: \(s)"
        case .chargeNotConserved(let s): return "electric charge is not conserved in '\(s)'"
        case .noSubprocesses(let s): return "process '\(s)' has no partonic subprocess with a non-zero tree-level amplitude"
        case .unsupported(let s): return "unsupported: \(s)"
        }
    }
}

/// Where a recursion leg takes its momentum and wave function from, in the external (incoming, outgoing) order.
enum LegSource: Sendable {
    case parton(index: Int, incoming: Bool)
    case leptons(particle: Int, antiparticle: Int)
    case onShellW(index: Int)
}

/// Exact tree-level |M|² of one subprocess.
///
/// Conventions: massless quarks and leptons; W–fermion vertex −i g_W/√2 γ^μ P_L V_CKM (signed Cabibbo block from
/// `StandardModel.cabibboAngle`), fixed-width propagator −i g_μν/(q² − M_W² + i M_W Γ_W) (the q^μq^ν part of
/// the unitary gauge vanishes against massless fermion currents), couplings from `StandardModel` (G_μ scheme),
/// g_s = √(4π α_s) per call. Helicities are summed exactly over every configuration that is not identically
/// zero (found once at construction: chirality makes the others vanish exactly); colours are summed exactly
/// with the flow-basis colour matrix (see `ColourFlows`). The result is averaged over incoming spins (1/4) and
/// colours (1/3 per quark, 1/8 per gluon), summed over final ones, and divided by k! for k identical final particles.
public struct TreeMatrixElement: MatrixElement {
    public let incoming: [Int]
    public let outgoing: [Int]
    public let model: StandardModel
    let program: CurrentProgram
    let sources: [LegSource]
    /// Helicity index per recursion leg for every non-vanishing configuration, and the legs changed since the previous one.
    let helicities: [[Int]]
    let changedLegs: [Int]
    /// 1/(spins × colours of the incoming partons) × identical-particle factor.
    let normalisation: Double
    let colouredLegs: Int

    public var legCount: Int { incoming.count + outgoing.count }
    /// The number of colour flows with a non-vanishing dual amplitude.
    public var flowCount: Int { program.flows.count }
    /// The number of helicity configurations summed.
    public var helicityCount: Int { helicities.count }
    /// Size of the compiled recursion: currents and vertex terms.
    public var currentCount: Int { program.nodes.count }
    public var vertexTermCount: Int { program.terms.count }

    /// Builds the matrix element of `incoming > outgoing` (PDG ids). Partons, at most one lepton pair or W,
    /// leptons and W only in the final state. Pure-QCD subprocesses are allowed too.
    public init(incoming: [Int], outgoing: [Int], model: StandardModel = StandardModel()) throws {
        guard incoming.count == 2 else { throw AmplitudeError.malformedProcess("need exactly two incoming particles") }
        for id in incoming + outgoing where PDG.kind(id) == nil { throw AmplitudeError.unknownParticle(PDG.name(id)) }
        for id in incoming where !PDG.isParton(id) { throw AmplitudeError.unsupported("incoming \(PDG.name(id)); only partons may be incoming") }
        self.incoming = incoming
        self.outgoing = outgoing
        self.model = model
        let ext = incoming + outgoing
        let qin = incoming.map(PDG.charge3).reduce(0, +), qout = outgoing.map(PDG.charge3).reduce(0, +)
        guard qin == qout else { throw AmplitudeError.chargeNotConserved(incoming.map(PDG.name).joined(separator: " ") + " > " + outgoing.map(PDG.name).joined(separator: " ")) }

        var legs: [RecursionLeg] = []
        var sources: [LegSource] = []
        for (i, id) in ext.enumerated() where PDG.isParton(id) {
            let isIn = i < 2
            let outId = isIn ? (id == PDG.gluon ? id : -id) : id
            if outId == PDG.gluon { legs.append(.gluon) }
            else if outId > 0 { legs.append(.quark(outId)) } else { legs.append(.antiquark(-outId)) }
            sources.append(.parton(index: i, incoming: isIn))
        }
        let leptonIdx = ext.indices.filter { $0 >= 2 && PDG.isLepton(ext[$0]) }
        let wIdx = ext.indices.filter { $0 >= 2 && abs(ext[$0]) == PDG.wPlus }
        if !leptonIdx.isEmpty || !wIdx.isEmpty {
            if wIdx.count == 1 && leptonIdx.isEmpty {
                legs.append(.w(charge: ext[wIdx[0]] > 0 ? 1 : -1))
                sources.append(.onShellW(index: wIdx[0]))
            } else if wIdx.isEmpty && leptonIdx.count == 2 {
                let a = ext[leptonIdx[0]], b = ext[leptonIdx[1]]
                let (part, anti) = a > 0 ? (leptonIdx[0], leptonIdx[1]) : (leptonIdx[1], leptonIdx[0])
                let p = ext[part], q = -ext[anti]
                // W⁺ → ℓ⁺ ν_ℓ: particle ν (12/14), antiparticle ℓ⁺ (−11/−13); W⁻ → ℓ⁻ ν̄: particle ℓ⁻, antiparticle ν̄.
                guard a * b < 0, (p % 2 == 0 && q == p - 1) || (p % 2 == 1 && q == p + 1) else {
                    throw AmplitudeError.unsupported("lepton pair \(PDG.name(a)) \(PDG.name(b)) does not come from one W")
                }
                legs.append(.w(charge: p % 2 == 0 ? 1 : -1))
                sources.append(.leptons(particle: part, antiparticle: anti))
            } else {
                throw AmplitudeError.unsupported("exactly one W → ℓν pair or one on-shell W is supported")
            }
        }
        guard legs.count >= 3 else { throw AmplitudeError.unsupported("fewer than three recursion legs") }
        let root = legs.lastIndex { $0.isFermion } ?? legs.lastIndex { $0 == .gluon }!
        let program = CurrentProgram(legs: legs, root: root, gW: model.gW, cabibboAngle: model.cabibboAngle)
        self.program = program
        self.sources = sources
        self.colouredLegs = legs.filter(\.isColoured).count

        // Averaging and symmetry factors.
        var norm = 0.25
        for id in incoming { norm /= id == PDG.gluon ? 8 : 3 }
        var counts: [Int: Int] = [:]
        for id in outgoing { counts[id, default: 0] += 1 }
        for (_, c) in counts where c > 1 { for k in 2...c { norm /= Double(k) } }
        self.normalisation = norm

        let helicity = HelicityConfigurations(program: program, sources: sources, model: model)
        self.helicities = helicity.configurations
        self.changedLegs = helicity.changedLegs
    }

    /// Leaf wave functions for one helicity configuration. `leptonic` = (particle, antiparticle) momenta for
    /// a W → ℓν leg; nil uses the on-shell polarisations (or the probe's arbitrary vector).
    static func setLeaves(_ program: CurrentProgram, _ ws: inout CurrentWorkspace, legs: [RecursionLeg], momenta: [FourVector],
                          helicities: [Int], leptonic: (FourVector, FourVector)?, model: StandardModel, onlyLegs: Int = -1) {
        for (i, leg) in legs.enumerated() where onlyLegs & (1 << i) != 0 {
            let h = helicities[i] == 0 ? -1 : 1
            switch leg {
            case .gluon: program.setLeaf(&ws, leg: i, vector: Wavefunctions.gluon(momenta[i], h))
            case .quark: program.setLeaf(&ws, leg: i, spinor: Wavefunctions.outgoingQuark(momenta[i], h))
            case .antiquark: program.setLeaf(&ws, leg: i, spinor: Wavefunctions.outgoingAntiquark(momenta[i], h))
            case .w:
                if let (kp, ka) = leptonic {
                    program.setLeaf(&ws, leg: i, vector: leptonCurrent(particle: kp, antiparticle: ka, model: model))
                } else {
                    program.setLeaf(&ws, leg: i, vector: Wavefunctions.massiveVector(momenta[i], helicities[i]))
                }
            }
        }
    }

    /// The W "polarisation" seen by the quark line: lepton current × vertex × propagator,
    /// (−i g_W/√2) ū_−(k_ℓ) γ^μ v(k_ℓ̄) · (−i)/(q² − M_W² + i M_W Γ_W).
    static func leptonCurrent(particle kp: FourVector, antiparticle ka: FourVector, model: StandardModel) -> CVector {
        let l = Dirac.current(Wavefunctions.ubar(kp, -1), Wavefunctions.u(ka, -1))
        let q = kp + ka
        let d = Complex(q.m2 - model.mW * model.mW, model.mW * model.widthW)
        let factor = Complex(-model.gW / 2.0.squareRoot(), 0) / d
        return factor * l
    }

    /// All-outgoing momenta of the recursion legs and the lepton momenta, from physical momenta in this order.
    func legMomenta(_ momenta: [FourVector]) -> (legs: [FourVector], leptons: (FourVector, FourVector)?) {
        var out: [FourVector] = []
        out.reserveCapacity(sources.count)
        var lep: (FourVector, FourVector)? = nil
        for s in sources {
            switch s {
            case .parton(let i, let isIn): out.append(isIn ? -momenta[i] : momenta[i])
            case .leptons(let a, let b): out.append(momenta[a] + momenta[b]); lep = (momenta[a], momenta[b])
            case .onShellW(let i): out.append(momenta[i])
            }
        }
        return (out, lep)
    }

    public func squared(_ momenta: [FourVector], alphaS: Double) -> Double {
        let buffers = Buffers(program)
        return squared(momenta, alphaS: alphaS, workspace: &buffers.workspace, cache: &buffers.cache)
    }

    /// The current workspace and the legs' wave functions, allocated once per element and thread: at W + 2
    /// jets allocating them for every call cost ~10 % of the integrand (allocation and metadata look-ups).
    final class Buffers: MatrixElementBuffers {
        var workspace: CurrentWorkspace
        var cache: [Complex]
        init(_ program: CurrentProgram) {
            workspace = CurrentWorkspace(program: program)
            cache = [Complex](repeating: .zero, count: 12 * program.legs.count)
        }
    }

    public func makeBuffers() -> MatrixElementBuffers { Buffers(program) }

    public func squared(_ momenta: [FourVector], alphaS: Double, buffers: MatrixElementBuffers) -> Double {
        guard let b = buffers as? Buffers, b.workspace.zero.count == program.nodes.count else { return squared(momenta, alphaS: alphaS) }
        return squared(momenta, alphaS: alphaS, workspace: &b.workspace, cache: &b.cache)
    }

    /// An unbiased one-configuration estimate of `squared`: the helicity configuration ⌊u · count⌋ (u ∈ [0, 1))
    /// evaluated alone and multiplied by the number of configurations. Averaging over u reproduces the exact
    /// helicity sum; at high multiplicity it costs a fraction of it (Monte Carlo helicity sampling).
    public func squared(_ momenta: [FourVector], alphaS: Double, sampledHelicity u: Double) -> Double {
        precondition(momenta.count == legCount, "matrix element of \(legCount) legs called with \(momenta.count) momenta")
        let count = helicities.count
        let c = min(max(Int(u * Double(count)), 0), count - 1)
        let (k, lep) = legMomenta(momenta)
        var ws = CurrentWorkspace(program: program)
        program.prepare(&ws, legMomenta: k)
        TreeMatrixElement.setLeaves(program, &ws, legs: program.legs, momenta: k, helicities: helicities[c], leptonic: lep, model: model)
        program.evaluate(&ws, changed: -1)
        let g2 = 4 * Double.pi * alphaS
        var coupling = 1.0
        for _ in 0..<max(colouredLegs - 2, 0) { coupling *= g2 }
        return program.colourSummed(ws) * Double(count) * coupling * normalisation
    }

    /// The batch form reuses one set of work buffers for all points.
    public func squared(batch momenta: [[FourVector]], alphaS: [Double]) -> [Double] {
        precondition(momenta.count == alphaS.count, "one alphaS per point")
        var ws = CurrentWorkspace(program: program)
        var cache = [Complex](repeating: .zero, count: 12 * program.legs.count)
        var out = [Double](repeating: 0, count: momenta.count)
        for i in momenta.indices { out[i] = squared(momenta[i], alphaS: alphaS[i], workspace: &ws, cache: &cache) }
        return out
    }

    func squared(_ momenta: [FourVector], alphaS: Double, workspace ws: inout CurrentWorkspace, cache: inout [Complex]) -> Double {
        precondition(momenta.count == legCount, "matrix element of \(legCount) legs called with \(momenta.count) momenta")
        let (k, lep) = legMomenta(momenta)
        program.prepare(&ws, legMomenta: k)
        // Every leg's wave function for each of its helicity states, computed once per point.
        let legs = program.legs
        for (i, leg) in legs.enumerated() {
            switch leg {
            case .gluon:
                for h in 0..<2 { TreeMatrixElement.put(&cache, 12 * i + 4 * h, Wavefunctions.gluon(k[i], 2 * h - 1)) }
            case .quark:
                for h in 0..<2 { TreeMatrixElement.put(&cache, 12 * i + 4 * h, Wavefunctions.outgoingQuark(k[i], 2 * h - 1)) }
            case .antiquark:
                for h in 0..<2 { TreeMatrixElement.put(&cache, 12 * i + 4 * h, Wavefunctions.outgoingAntiquark(k[i], 2 * h - 1)) }
            case .w:
                if let (kp, ka) = lep {
                    TreeMatrixElement.put(&cache, 12 * i, TreeMatrixElement.leptonCurrent(particle: kp, antiparticle: ka, model: model))
                } else {
                    for h in 0..<3 { TreeMatrixElement.put(&cache, 12 * i + 4 * h, Wavefunctions.massiveVector(k[i], h)) }
                }
            }
        }
        var sum = 0.0
        for (c, h) in helicities.enumerated() {
            let changed = changedLegs[c]
            for i in legs.indices where changed & (1 << i) != 0 {
                let o = 12 * i + 4 * h[i]
                for j in 0..<4 { ws.values[4 * i + j] = cache[o + j] }
                ws.zero[i] = (0..<4).allSatisfy { cache[o + $0] == .zero }
            }
            program.evaluate(&ws, changed: changed)
            sum += program.colourSummed(ws)
        }
        let g2 = 4 * Double.pi * alphaS
        var coupling = 1.0
        for _ in 0..<max(colouredLegs - 2, 0) { coupling *= g2 }
        return sum * coupling * normalisation
    }

    static func put(_ buffer: inout [Complex], _ o: Int, _ v: CVector) {
        buffer[o] = v.t; buffer[o + 1] = v.x; buffer[o + 2] = v.y; buffer[o + 3] = v.z
    }
    static func put(_ buffer: inout [Complex], _ o: Int, _ s: Spinor) {
        buffer[o] = s.s0; buffer[o + 1] = s.s1; buffer[o + 2] = s.s2; buffer[o + 3] = s.s3
    }

    /// The dual (colour-flow) amplitudes at g_s = 1 for one helicity configuration, all-outgoing leg momenta.
    /// `gaugeLeg` replaces that gluon's polarisation by its momentum (a Ward-identity check).
    func dualAmplitudes(legMomenta k: [FourVector], helicities h: [Int], leptons: (FourVector, FourVector)? = nil,
                        gaugeLeg: Int? = nil) -> [Complex] {
        var ws = CurrentWorkspace(program: program)
        program.prepare(&ws, legMomenta: k)
        TreeMatrixElement.setLeaves(program, &ws, legs: program.legs, momenta: k, helicities: h, leptonic: leptons, model: model)
        if let g = gaugeLeg { program.setLeaf(&ws, leg: g, vector: CVector(k[g])) }
        program.evaluate(&ws, changed: -1)
        return ws.amplitudes
    }
}
