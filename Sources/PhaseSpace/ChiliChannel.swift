// W(→ℓν) + n partons channels in the style of Chili (Bothmann et al., arXiv:2302.10449): every final-state
// object except the colour singlet gets (p_T, y, φ); the W gets its invariant mass (Breit–Wigner) and its
// rapidity, its transverse momentum balances the objects, and x₁, x₂ follow from momentum conservation.
// Objects are single partons (the t-channel / initial-state-emission structure: p_T² sampled ∝ 1/(p_T²)^ν) or
// pairs of partons coming from a massless s-channel splitting (pair mass² from a power-law map, then an
// isotropic two-body decay). The W decays isotropically into ℓν.
//
// Measure (Conventions.swift): dx₁dx₂ dΦ = (2π)⁴ (2/s) · [dy_W/(2(2π)³)] · [dm²_W/(2π)] dΦ₂(W→ℓν)
//   · Π_objects d²p_T dy/(2(2π)³) [· dm²/(2π) dΦ₂(pair)],
// where (2/s) = ∫dx₁dx₂ δ(E − E_tot) δ(p_z − p_z,tot) and d²p_T = ½ dp_T² dφ.
//
// Ranges (chosen so that channel 0, all singles, covers every point that passes the generation cuts):
// single p_T² ∈ [p_T,min², s/4]; |y| ≤ Y_jet = min(η_max, ln(√s/p_T,min)) (since p_T e^|y| ≤ √s);
// pair p_T² ∈ [0, s/4] with offset p_T,min² in the map, same |y| ≤ Y_jet (a pair of massless partons with
// |yᵢ| ≤ Y has |y| ≤ Y); pair m² ∈ [m²_min, s]; W: m² ∈ window, |y_W| ≤ ln(√s/m_T,W) (from x₁,x₂ ≤ 1).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics

/// Generation limits shared by the channels of one process; derived from the analysis cuts by Physics.
public struct ChannelLimits: Sendable, Equatable {
    /// Collider energy √s in GeV.
    public var sqrtS: Double
    /// W pole mass and width used by the Breit–Wigner map, GeV.
    public var wMass: Double
    public var wWidth: Double
    /// Window of the ℓν invariant mass, GeV (the generated region; nothing outside it is integrated).
    public var leptonPairMassMin: Double
    public var leptonPairMassMax: Double
    /// Lower p_T of every parton (the jet cut): required > 0 when there are partons.
    public var jetPTMin: Double
    /// Upper |η| of every parton (nil: only the kinematic limit).
    public var jetEtaMax: Double?
    /// Lower bound of the invariant mass² of a pair of partons (from the p_T and ΔR cuts), GeV².
    public var pairMass2Min: Double
    /// ν of the p_T² maps of partons and pairs (density ∝ 1/(p_T² + c)^ν). ν = 1 is the bare 1/p_T² of a
    /// t-channel emission; the default 1.5 is still flatter than LO W + jets spectra (≈ p_T^−4…−5 in dp_T²)
    /// and raises the fraction of physical points (x₁, x₂ ≤ 1) for W + 4 jets at 13 TeV from 7.5% to 22%.
    public var pTExponent: Double = 1.5
    /// ν of the pair-mass² map (density ∝ 1/(m²)^ν).
    public var pairMassExponent: Double = 0.8

    public init(sqrtS: Double, wMass: Double, wWidth: Double, leptonPairMassMin: Double = 10,
                leptonPairMassMax: Double? = nil, jetPTMin: Double = 20, jetEtaMax: Double? = 5,
                pairMass2Min: Double = 0) {
        self.sqrtS = sqrtS; self.wMass = wMass; self.wWidth = wWidth
        self.leptonPairMassMin = leptonPairMassMin
        self.leptonPairMassMax = leptonPairMassMax ?? sqrtS
        self.jetPTMin = jetPTMin; self.jetEtaMax = jetEtaMax; self.pairMass2Min = pairMass2Min
    }

    /// Largest parton rapidity the channels generate.
    public var jetRapidityMax: Double {
        let kinematic = log(sqrtS / jetPTMin)
        if let e = jetEtaMax { return min(e, kinematic) }
        return kinematic
    }
}

public struct ChiliChannel: PhaseSpaceChannel {
    public let name: String
    public let dimension: Int
    public let finalStateCount: Int
    public let jetCount: Int
    /// Disjoint pairs of parton indices (0-based among the partons) generated as s-channel splittings.
    public let pairs: [(Int, Int)]

    private let s: Double
    private let rootS: Double
    private let wMap: BreitWignerMap
    private let singleMap: PowerLawMap?
    private let pairPTMap: PowerLawMap?
    private let pairMassMap: PowerLawMap?
    private let yJet: Double
    private let regulator2: Double
    // Objects in y order: first slot (4 + parton index) and, for pairs, the second slot (−1 for singles).
    private let slotA: [Int]
    private let slotB: [Int]
    private let yStart: [Int]
    // Constant parts of the per-object and global weights.
    private let globalConst: Double
    private let wConst: Double
    private let singleConst: Double
    private let pairConst: Double

    public init(jets n: Int, pairs: [(Int, Int)] = [], limits: ChannelLimits) throws {
        guard n >= 0 else { throw PhaseSpaceError.unsupportedTopology("negative number of jets \(n)") }
        guard limits.sqrtS.isFinite && limits.sqrtS > 0 else {
            throw PhaseSpaceError.invalidRange("√s must be positive and finite, got \(limits.sqrtS)")
        }
        let threshold = limits.leptonPairMassMin + Double(n) * limits.jetPTMin
        guard limits.sqrtS > threshold else { throw PhaseSpaceError.energyTooLow(sqrtS: limits.sqrtS, threshold: threshold) }
        let used = pairs.flatMap { [$0.0, $0.1] }
        guard Set(used).count == used.count, used.allSatisfy({ $0 >= 0 && $0 < n }), pairs.allSatisfy({ $0.0 != $0.1 }) else {
            throw PhaseSpaceError.unsupportedTopology("pairs \(pairs) must be disjoint pairs of distinct parton indices below \(n)")
        }
        s = limits.sqrtS * limits.sqrtS
        rootS = limits.sqrtS
        jetCount = n
        finalStateCount = n + 2
        self.pairs = pairs
        let mMax = min(limits.leptonPairMassMax, limits.sqrtS)
        wMap = try BreitWignerMap(mass: limits.wMass, width: limits.wWidth,
                                  lower: limits.leptonPairMassMin * limits.leptonPairMassMin, upper: mMax * mMax)
        if n > 0 {
            guard limits.jetPTMin > 0 else {
                throw PhaseSpaceError.invalidRange("W + \(n) jets needs a positive jet p_T cut (got \(limits.jetPTMin) GeV): the cross section is infrared divergent without it")
            }
            let pt2 = limits.jetPTMin * limits.jetPTMin
            singleMap = try PowerLawMap(lower: pt2, upper: s / 4, exponent: limits.pTExponent)
            pairPTMap = try PowerLawMap(lower: 0, upper: s / 4, exponent: limits.pTExponent, offset: pt2)
            pairMassMap = try PowerLawMap(lower: max(limits.pairMass2Min, 0), upper: s, exponent: limits.pairMassExponent)
            yJet = limits.jetRapidityMax
            regulator2 = pt2
        } else {
            singleMap = nil; pairPTMap = nil; pairMassMap = nil; yJet = 0; regulator2 = 1
        }
        // Objects ordered by their first parton.
        var a: [Int] = [], b: [Int] = [], start: [Int] = []
        var d = 4
        for j in 0..<n {
            if let p = pairs.first(where: { $0.0 == j || $0.1 == j }) {
                guard min(p.0, p.1) == j else { continue }
                a.append(4 + p.0); b.append(4 + p.1); start.append(d); d += 6
            } else {
                a.append(4 + j); b.append(-1); start.append(d); d += 3
            }
        }
        slotA = a; slotB = b; yStart = start; dimension = d
        let f = PhaseSpaceConstants.onePartonFactor, tp = PhaseSpaceConstants.twoPi
        globalConst = tp * tp * tp * tp * 2 / s
        wConst = f / tp / (8 * Double.pi)
        singleConst = f * 0.5 * tp * 2 * yJet
        pairConst = singleConst / tp / (8 * Double.pi)
        name = pairs.isEmpty ? "chili[W+\(n)]" : "chili[W+\(n) " + pairs.map { "(\($0.0)\($0.1))" }.joined() + "]"
    }

    @inline(__always) private func object(pt2: Double, y: Double, phi: Double, m2: Double) -> FourVector {
        let pt = pt2.squareRoot(), mt = (pt2 + m2).squareRoot()
        return FourVector(mt * cosh(y), pt * cos(phi), pt * sin(phi), mt * sinh(y))
    }

    public func map(_ y: UnsafeBufferPointer<Double>, into momenta: inout [FourVector]) -> MappedPoint {
        var weight = globalConst
        var k = FourVector.zero
        for o in 0..<slotA.count {
            let j = yStart[o]
            let rap = yJet * (2 * y[j &+ 1] - 1)
            let phi = PhaseSpaceConstants.twoPi * y[j &+ 2]
            if slotB[o] < 0 {
                let map = singleMap.unsafelyUnwrapped
                let pt2 = map.value(y[j])
                let p = object(pt2: pt2, y: rap, phi: phi, m2: 0)
                momenta[slotA[o]] = p
                k += p
                weight *= singleConst / map.density(pt2)
            } else {
                let ptMap = pairPTMap.unsafelyUnwrapped, mMap = pairMassMap.unsafelyUnwrapped
                let pt2 = ptMap.value(y[j]), m2 = mMap.value(y[j &+ 3])
                let q = object(pt2: pt2, y: rap, phi: phi, m2: m2)
                let (c1, c2) = TwoBodyDecay.decay(q, parentMass2: m2, child1Mass2: 0, child2Mass2: 0,
                                                  u1: y[j &+ 4], u2: y[j &+ 5])
                momenta[slotA[o]] = c1; momenta[slotB[o]] = c2
                k += q
                weight *= pairConst / (ptMap.density(pt2) * mMap.density(m2))
            }
        }
        // The W: mass from the Breit–Wigner, p_T from recoil, rapidity within the kinematic limit.
        let m2 = wMap.value(y[0])
        let wpx = -k.px, wpy = -k.py
        let mt = (m2 + wpx * wpx + wpy * wpy).squareRoot()
        let yMax = log(rootS / mt)
        guard yMax > 0 else { return .invalid }
        let yW = yMax * (2 * y[1] - 1)
        let w = FourVector(mt * cosh(yW), wpx, wpy, mt * sinh(yW))
        weight *= wConst * 2 * yMax / wMap.density(m2)
        let (l, nu) = TwoBodyDecay.decay(w, parentMass2: m2, child1Mass2: 0, child2Mass2: 0, u1: y[2], u2: y[3])
        momenta[2] = l; momenta[3] = nu
        let total = k + w
        let x1 = (total.e + total.pz) / rootS, x2 = (total.e - total.pz) / rootS
        guard x1 > 0, x1 <= 1, x2 > 0, x2 <= 1, weight.isFinite else { return .invalid }
        momenta[0] = FourVector(0.5 * rootS * x1, 0, 0, 0.5 * rootS * x1)
        momenta[1] = FourVector(0.5 * rootS * x2, 0, 0, -0.5 * rootS * x2)
        return MappedPoint(x1: x1, x2: x2, weight: weight)
    }

    public func density(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> Double {
        guard momenta.count >= 2 + finalStateCount else { return 0 }
        var density = 1 / globalConst
        for o in 0..<slotA.count {
            if slotB[o] < 0 {
                let p = momenta[slotA[o]]
                guard abs(p.rapidity) <= yJet else { return 0 }
                density *= singleMap.unsafelyUnwrapped.density(p.pt2) / singleConst
            } else {
                let q = momenta[slotA[o]] + momenta[slotB[o]]
                guard abs(q.rapidity) <= yJet else { return 0 }
                density *= pairPTMap.unsafelyUnwrapped.density(q.pt2) * pairMassMap.unsafelyUnwrapped.density(q.m2) / pairConst
            }
        }
        let w = momenta[2] + momenta[3]
        let m2 = w.m2
        let yMax = log(rootS / (m2 + w.pt2).squareRoot())
        guard yMax > 0, abs(w.rapidity) <= yMax else { return 0 }
        density *= wMap.density(m2) / (wConst * 2 * yMax)
        return density.isFinite ? density : 0
    }

    public func inverse(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> [Double]? {
        guard momenta.count >= 2 + finalStateCount else { return nil }
        var y = [Double](repeating: 0, count: dimension)
        func unitPhi(_ p: FourVector) -> Double {
            let f = p.phi / PhaseSpaceConstants.twoPi
            return f < 0 ? f + 1 : f
        }
        for o in 0..<slotA.count {
            let j = yStart[o]
            if slotB[o] < 0 {
                let p = momenta[slotA[o]]
                y[j] = singleMap.unsafelyUnwrapped.inverse(p.pt2)
                y[j + 1] = (p.rapidity / yJet + 1) / 2
                y[j + 2] = unitPhi(p)
            } else {
                let c1 = momenta[slotA[o]], q = c1 + momenta[slotB[o]]
                y[j] = pairPTMap.unsafelyUnwrapped.inverse(q.pt2)
                y[j + 1] = (q.rapidity / yJet + 1) / 2
                y[j + 2] = unitPhi(q)
                y[j + 3] = pairMassMap.unsafelyUnwrapped.inverse(q.m2)
                (y[j + 4], y[j + 5]) = TwoBodyDecay.angles(of: c1, in: q)
            }
        }
        let w = momenta[2] + momenta[3]
        let yMax = log(rootS / (w.m2 + w.pt2).squareRoot())
        y[0] = wMap.inverse(w.m2)
        y[1] = (w.rapidity / yMax + 1) / 2
        (y[2], y[3]) = TwoBodyDecay.angles(of: momenta[2], in: w)
        return y
    }

    /// Single partons contribute 1/p_T² (t-channel emission), pairs 1/((p_T,pair² + p_T,min²) · m²_pair)
    /// (an s-channel splitting and the emission of the pair); the W propagator is common and omitted.
    public func propagatorFactor(ofMomenta momenta: [FourVector]) -> Double {
        var f = 1.0
        for o in 0..<slotA.count {
            if slotB[o] < 0 {
                f /= momenta[slotA[o]].pt2 + 1e-3 * regulator2
            } else {
                let q = momenta[slotA[o]] + momenta[slotB[o]]
                f /= (q.pt2 + regulator2) * (max(q.m2, 0) + 1e-3 * regulator2)
            }
        }
        return f
    }
}
