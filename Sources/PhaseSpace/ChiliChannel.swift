// W(→ℓν) + n partons channels in the style of Chili (Bothmann et al., arXiv:2302.10449): every final-state
// object except the colour singlet gets (p_T, y, φ); the W gets its invariant mass (Breit–Wigner) and its
// rapidity, its transverse momentum balances the objects, and x₁, x₂ follow from momentum conservation.
// Objects are single partons (the t-channel / initial-state-emission structure: p_T² sampled ∝ 1/(p_T²)^ν) or
// clusters of partons coming from massless s-channel splittings (final-state g → gg, g → qq̄): a cluster is a
// binary tree; its root gets (p_T, y, φ) and a mass² from a power-law map, every internal node decays
// isotropically into its two children, whose masses² (when they are clusters themselves) come from power
// laws within the kinematic limits. The W decays isotropically into ℓν. This is the structure of Chili:
// one t-channel, any number of s-channel decays.
//
// Measure (Conventions.swift): dx₁dx₂ dΦ = (2π)⁴ (2/s) · [dy_W/(2(2π)³)] · [dm²_W/(2π)] dΦ₂(W→ℓν)
//   · Π_objects d²p_T dy/(2(2π)³) [· dm²/(2π) dΦ₂(cluster) · Π_sub-clusters dm²/(2π) dΦ₂],
// where (2/s) = ∫dx₁dx₂ δ(E − E_tot) δ(p_z − p_z,tot) and d²p_T = ½ dp_T² dφ.
//
// Ranges (chosen so that channel 0, all singles, covers every point that passes the generation cuts):
// single p_T² ∈ [p_T,min², s/4]; |y| ≤ Y_jet = min(η_max, ln(√s/p_T,min)) (since p_T e^|y| ≤ √s), further
// narrowed, object by object, to K⁺ + m_T e^y < √s and K⁻ + m_T e^{−y} < √s with K^± the light-cone sums of
// the objects generated before (x₁, x₂ ≤ 1 — exact, so no physical point is lost);
// cluster p_T² ∈ [0, s/4] with offset p_T,min² in the map, same |y| ≤ Y_jet (a sum of massless partons with
// |yᵢ| ≤ Y has |y| ≤ Y); cluster and sub-cluster m² ≥ m²_min (every pair passing the cuts has m² ≥ m²_min, and
// adding massless momenta only raises the mass), root m² ≤ s, children within (m_A + m_B ≤ M);
// W: m² ∈ window, y_W between the limits x₁ = 1 and x₂ = 1 given the partons (exact). So every channel's
// support contains the cut region.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics

public struct ChiliChannel: PhaseSpaceChannel {
    public let name: String
    public let dimension: Int
    public let finalStateCount: Int
    public let jetCount: Int
    /// s-channel clusters: binary trees over parton indices (0-based among the partons), pairwise disjoint;
    /// partons in no cluster are t-channel emissions.
    public let clusters: [DecayTree]
    /// Number of s-channel propagators among the partons (Σ over clusters of size − 1).
    public var sChannelCount: Int { clusters.reduce(0) { $0 + $1.particles.count - 1 } }

    private let s: Double
    private let rootS: Double
    private let wMap: BreitWignerMap
    private let singleMap: PowerLawMap?
    private let clusterPTMap: PowerLawMap?
    private let clusterMassMap: PowerLawMap?
    private let mass2Min: Double
    private let massExponent: Double
    private let yJet: Double
    private let regulator2: Double
    // Objects in y order. Singles: objSlot ≥ 0, objRoot = −1. Clusters: objRoot = node index of the root.
    private let objSlot: [Int]
    private let objRoot: [Int]
    private let objEnd: [Int]       // one past the last node of the object's tree (pre-order, contiguous)
    private let objYStart: [Int]
    // Cluster nodes, pre-order per cluster. Leaves: nodeSlot ≥ 0; internal: children and y offset.
    private let nodeLeft: [Int]
    private let nodeRight: [Int]
    private let nodeSlot: [Int]
    private let nodeYStart: [Int]
    private let nodeLeaves: [[Int]]
    // Constant parts of the weights.
    private let globalConst: Double
    private let wConst: Double
    private let objectConst: Double

    /// Convenience: clusters that are pairs (i, j).
    public init(jets n: Int, pairs: [(Int, Int)], limits: ChannelLimits) throws {
        try self.init(jets: n, clusters: pairs.map { .split(.particle($0.0), .particle($0.1)) }, limits: limits)
    }

    public init(jets n: Int, clusters: [DecayTree] = [], limits: ChannelLimits) throws {
        guard n >= 0 else { throw PhaseSpaceError.unsupportedTopology("negative number of jets \(n)") }
        guard limits.sqrtS.isFinite && limits.sqrtS > 0 else {
            throw PhaseSpaceError.invalidRange("√s must be positive and finite, got \(limits.sqrtS)")
        }
        let threshold = limits.leptonPairMassMin + Double(n) * limits.jetPTMin
        guard limits.sqrtS > threshold else { throw PhaseSpaceError.energyTooLow(sqrtS: limits.sqrtS, threshold: threshold) }
        let used = clusters.flatMap { $0.particles }
        guard Set(used).count == used.count, used.allSatisfy({ $0 >= 0 && $0 < n }),
              clusters.allSatisfy({ $0.particles.count >= 2 }) else {
            throw PhaseSpaceError.unsupportedTopology("clusters \(clusters) must be disjoint trees of ≥ 2 distinct parton indices below \(n)")
        }
        s = limits.sqrtS * limits.sqrtS
        rootS = limits.sqrtS
        jetCount = n
        finalStateCount = n + 2
        self.clusters = clusters
        let mMax = min(limits.leptonPairMassMax, limits.sqrtS)
        wMap = try BreitWignerMap(mass: limits.wMass, width: limits.wWidth,
                                  lower: limits.leptonPairMassMin * limits.leptonPairMassMin, upper: mMax * mMax)
        mass2Min = max(limits.pairMass2Min, 0)
        massExponent = limits.pairMassExponent
        if n > 0 {
            guard limits.jetPTMin > 0 else {
                throw PhaseSpaceError.invalidRange("W + \(n) jets needs a positive jet p_T cut (got \(limits.jetPTMin) GeV): the cross section is infrared divergent without it")
            }
            let pt2 = limits.jetPTMin * limits.jetPTMin
            singleMap = try PowerLawMap(lower: pt2, upper: s / 4, exponent: limits.pTExponent)
            clusterPTMap = try PowerLawMap(lower: 0, upper: s / 4, exponent: limits.pTExponent, offset: pt2)
            clusterMassMap = try PowerLawMap(lower: mass2Min, upper: s, exponent: massExponent)
            yJet = limits.jetRapidityMax
            regulator2 = pt2
        } else {
            singleMap = nil; clusterPTMap = nil; clusterMassMap = nil; yJet = 0; regulator2 = 1
        }
        // Flatten: objects ordered by their smallest parton; cluster trees in pre-order.
        var oSlot: [Int] = [], oRoot: [Int] = [], oEnd: [Int] = [], oY: [Int] = []
        var nl: [Int] = [], nr: [Int] = [], ns: [Int] = [], ny: [Int] = [], nLeaves: [[Int]] = []
        var d = 4
        func addNode(_ t: DecayTree) -> Int {
            let k = nl.count
            nl.append(-1); nr.append(-1); ns.append(-1); ny.append(-1); nLeaves.append(t.particles.map { 4 + $0 })
            switch t {
            case .particle(let i): ns[k] = 4 + i
            case .split(let a, let b):
                let ka = addNode(a), kb = addNode(b)
                nl[k] = ka; nr[k] = kb
            }
            return k
        }
        for j in 0..<n {
            if let c = clusters.first(where: { $0.particles.contains(j) }) {
                guard c.particles.min() == j else { continue }
                let root = addNode(c)
                oSlot.append(-1); oRoot.append(root); oEnd.append(nl.count); oY.append(d)
                d += 4      // p_T, y, φ, root mass
                for k in root..<nl.count where ns[k] < 0 {
                    ny[k] = d
                    if ns[nl[k]] < 0 { d += 1 }
                    if ns[nr[k]] < 0 { d += 1 }
                    d += 2
                }
            } else {
                oSlot.append(4 + j); oRoot.append(-1); oEnd.append(-1); oY.append(d); d += 3
            }
        }
        objSlot = oSlot; objRoot = oRoot; objEnd = oEnd; objYStart = oY
        nodeLeft = nl; nodeRight = nr; nodeSlot = ns; nodeYStart = ny; nodeLeaves = nLeaves
        dimension = d
        let f = PhaseSpaceConstants.onePartonFactor, tp = PhaseSpaceConstants.twoPi
        globalConst = tp * tp * tp * tp * 2 / s
        wConst = f / tp / (8 * Double.pi)
        objectConst = f * 0.5 * tp
        name = clusters.isEmpty ? "chili[W+\(n)]" : "chili[W+\(n) " + clusters.map(Self.label).joined() + "]"
    }

    static func label(_ t: DecayTree) -> String {
        switch t {
        case .particle(let i): return "\(i)"
        case .split(let a, let b): return "(" + label(a) + label(b) + ")"
        }
    }

    @inline(__always) private func object(pt2: Double, y: Double, phi: Double, m2: Double) -> FourVector {
        let pt = pt2.squareRoot(), mt = (pt2 + m2).squareRoot()
        return FourVector(mt * cosh(y), pt * cos(phi), pt * sin(phi), mt * sinh(y))
    }

    /// Mass² of a cluster child given its parent's mass² and (for the right child) the left child's mass².
    @inline(__always) private func childUpper(parent m2: Double, sibling: Double?) -> Double {
        guard let sib = sibling else { return m2 }
        let room = max(m2.squareRoot() - sib.squareRoot(), 0)
        return room * room
    }

    /// The W rapidity range allowed by x₁, x₂ ≤ 1 given the partons' total momentum K and the W's transverse
    /// mass: x₁√s = K⁺ + m_T e^{y_W} ≤ √s and x₂√s = K⁻ + m_T e^{−y_W} ≤ √s with K^± = K⁰ ± K_z. Exact, so
    /// no point is generated outside the physical region through the W, and every physical point is covered.
    @inline(__always) private func wRapidityRange(partons k: FourVector, wTransverseMass mt: Double) -> (Double, Double)? {
        let plus = rootS - (k.e + k.pz), minus = rootS - (k.e - k.pz)
        guard plus > 0, minus > 0, mt > 0 else { return nil }
        let hi = log(plus / mt), lo = -log(minus / mt)
        return hi > lo ? (lo, hi) : nil
    }

    /// Rapidity range of the next object (transverse mass m_T) given the light-cone sums K^± = Σ(E ± p_z) of
    /// the objects before it: |y| ≤ Y_jet and K⁺ + m_T e^y < √s, K⁻ + m_T e^{−y} < √s (x₁, x₂ ≤ 1 with room
    /// left for the W). Depends only on earlier objects, so the map stays a bijection with an exact density.
    @inline(__always) private func objectRapidityRange(mt: Double, plus: Double, minus: Double) -> (Double, Double)? {
        let rp = rootS - plus, rm = rootS - minus
        guard rp > 0, rm > 0, mt > 0 else { return nil }
        let hi = min(yJet, log(rp / mt)), lo = max(-yJet, -log(rm / mt))
        return hi > lo ? (lo, hi) : nil
    }

    @inline(__always) private func partonSum(_ momenta: [FourVector]) -> FourVector {
        var k = FourVector.zero
        for i in 0..<jetCount { k += momenta[4 &+ i] }
        return k
    }

    public func map(_ y: UnsafeBufferPointer<Double>, into momenta: inout [FourVector]) -> MappedPoint {
        var weight = globalConst
        var k = FourVector.zero
        let nodes = nodeLeft.count
        let ok: Bool = withUnsafeTemporaryAllocation(of: FourVector.self, capacity: max(nodes, 1)) { mom in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: max(nodes, 1)) { mass in
                for o in 0..<objSlot.count {
                    let j = objYStart[o]
                    let phi = PhaseSpaceConstants.twoPi * y[j &+ 2]
                    if objSlot[o] >= 0 {
                        let map = singleMap.unsafelyUnwrapped
                        let pt2 = map.value(y[j])
                        guard let (lo, hi) = objectRapidityRange(mt: pt2.squareRoot(), plus: k.e + k.pz, minus: k.e - k.pz) else { return false }
                        let p = object(pt2: pt2, y: lo + (hi - lo) * y[j &+ 1], phi: phi, m2: 0)
                        momenta[objSlot[o]] = p
                        k += p
                        weight *= objectConst * (hi - lo) / map.density(pt2)
                        continue
                    }
                    let ptMap = clusterPTMap.unsafelyUnwrapped, mMap = clusterMassMap.unsafelyUnwrapped
                    let pt2 = ptMap.value(y[j]), m2 = mMap.value(y[j &+ 3])
                    guard let (lo, hi) = objectRapidityRange(mt: (pt2 + m2).squareRoot(), plus: k.e + k.pz, minus: k.e - k.pz) else { return false }
                    let root = objRoot[o]
                    mom[root] = object(pt2: pt2, y: lo + (hi - lo) * y[j &+ 1], phi: phi, m2: m2)
                    mass[root] = m2
                    k += mom[root]
                    weight *= objectConst * (hi - lo) / (ptMap.density(pt2) * mMap.density(m2) * PhaseSpaceConstants.twoPi)
                    for node in root..<objEnd[o] where nodeSlot[node] < 0 {
                        var jj = nodeYStart[node]
                        let a = nodeLeft[node], b = nodeRight[node], m2 = mass[node]
                        mass[a] = 0; mass[b] = 0
                        if nodeSlot[a] < 0 {
                            let upper = m2
                            guard upper > mass2Min else { return false }
                            mass[a] = DynamicPowerLaw.value(y[jj], lower: mass2Min, upper: upper, exponent: massExponent, offset: 0)
                            weight /= DynamicPowerLaw.density(mass[a], lower: mass2Min, upper: upper, exponent: massExponent, offset: 0) * PhaseSpaceConstants.twoPi
                            jj &+= 1
                        }
                        if nodeSlot[b] < 0 {
                            let upper = childUpper(parent: m2, sibling: mass[a])
                            guard upper > mass2Min else { return false }
                            mass[b] = DynamicPowerLaw.value(y[jj], lower: mass2Min, upper: upper, exponent: massExponent, offset: 0)
                            weight /= DynamicPowerLaw.density(mass[b], lower: mass2Min, upper: upper, exponent: massExponent, offset: 0) * PhaseSpaceConstants.twoPi
                            jj &+= 1
                        }
                        let w2 = TwoBodyDecay.weight(parentMass2: m2, child1Mass2: mass[a], child2Mass2: mass[b])
                        guard w2 > 0 else { return false }
                        weight *= w2
                        let (ca, cb) = TwoBodyDecay.decay(mom[node], parentMass2: m2, child1Mass2: mass[a], child2Mass2: mass[b],
                                                          u1: y[jj], u2: y[jj &+ 1])
                        mom[a] = ca; mom[b] = cb
                        if nodeSlot[a] >= 0 { momenta[nodeSlot[a]] = ca }
                        if nodeSlot[b] >= 0 { momenta[nodeSlot[b]] = cb }
                    }
                }
                return true
            }
        }
        guard ok else { return .invalid }
        // The W: mass from the Breit–Wigner, p_T from recoil, rapidity within the kinematic limit.
        let m2 = wMap.value(y[0])
        let wpx = -k.px, wpy = -k.py
        let mt = (m2 + wpx * wpx + wpy * wpy).squareRoot()
        guard let (yLo, yHi) = wRapidityRange(partons: k, wTransverseMass: mt) else { return .invalid }
        let yW = yLo + (yHi - yLo) * y[1]
        let w = FourVector(mt * cosh(yW), wpx, wpy, mt * sinh(yW))
        weight *= wConst * (yHi - yLo) / wMap.density(m2)
        let (l, nu) = TwoBodyDecay.decay(w, parentMass2: m2, child1Mass2: 0, child2Mass2: 0, u1: y[2], u2: y[3])
        momenta[2] = l; momenta[3] = nu
        let total = k + w
        let x1 = (total.e + total.pz) / rootS, x2 = (total.e - total.pz) / rootS
        guard x1 > 0, x1 <= 1, x2 > 0, x2 <= 1, weight.isFinite else { return .invalid }
        momenta[0] = FourVector(0.5 * rootS * x1, 0, 0, 0.5 * rootS * x1)
        momenta[1] = FourVector(0.5 * rootS * x2, 0, 0, -0.5 * rootS * x2)
        return MappedPoint(x1: x1, x2: x2, weight: weight)
    }

    /// Momentum and mass² of every cluster node of a given point (leaves massless by definition).
    private func nodeKinematics(_ momenta: [FourVector]) -> ([FourVector], [Double]) {
        var mom = [FourVector](repeating: .zero, count: nodeLeft.count)
        var mass = [Double](repeating: 0, count: nodeLeft.count)
        for node in 0..<nodeLeft.count {
            var q = FourVector.zero
            for slot in nodeLeaves[node] { q += momenta[slot] }
            mom[node] = q
            mass[node] = nodeSlot[node] >= 0 ? 0 : max(q.m2, 0)
        }
        return (mom, mass)
    }

    public func density(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> Double {
        guard momenta.count >= 2 + finalStateCount else { return 0 }
        var density = 1 / globalConst
        let nodes = nodeLeft.count
        // Node masses² in a stack buffer (no heap allocation: this runs once per channel and point).
        let inside: Bool = withUnsafeTemporaryAllocation(of: Double.self, capacity: max(nodes, 1)) { mass in
            var k = FourVector.zero
            for o in 0..<objSlot.count {
                if objSlot[o] >= 0 {
                    let p = momenta[objSlot[o]]
                    guard let (lo, hi) = objectRapidityRange(mt: p.pt, plus: k.e + k.pz, minus: k.e - k.pz) else { return false }
                    let rap = p.rapidity
                    guard rap >= lo, rap <= hi else { return false }
                    density *= singleMap.unsafelyUnwrapped.density(p.pt2) / (objectConst * (hi - lo))
                    k += p
                    continue
                }
                let root = objRoot[o]
                var q = FourVector.zero
                for node in root..<objEnd[o] {
                    if nodeSlot[node] >= 0 { mass[node] = 0; continue }
                    var r = FourVector.zero
                    for slot in nodeLeaves[node] { r += momenta[slot] }
                    mass[node] = max(r.m2, 0)
                    if node == root { q = r }
                }
                guard let (lo, hi) = objectRapidityRange(mt: (mass[root] + q.pt2).squareRoot(), plus: k.e + k.pz, minus: k.e - k.pz) else { return false }
                let rap = q.rapidity
                guard rap >= lo, rap <= hi else { return false }
                density *= clusterPTMap.unsafelyUnwrapped.density(q.pt2) * clusterMassMap.unsafelyUnwrapped.density(mass[root])
                    * PhaseSpaceConstants.twoPi / (objectConst * (hi - lo))
                k += q
                for node in root..<objEnd[o] where nodeSlot[node] < 0 {
                    let a = nodeLeft[node], b = nodeRight[node], m2 = mass[node]
                    if nodeSlot[a] < 0 {
                        density *= DynamicPowerLaw.density(mass[a], lower: mass2Min, upper: m2, exponent: massExponent, offset: 0)
                            * PhaseSpaceConstants.twoPi
                    }
                    if nodeSlot[b] < 0 {
                        let upper = childUpper(parent: m2, sibling: mass[a])
                        density *= DynamicPowerLaw.density(mass[b], lower: mass2Min, upper: upper, exponent: massExponent, offset: 0)
                            * PhaseSpaceConstants.twoPi
                    }
                    let w2 = TwoBodyDecay.weight(parentMass2: m2, child1Mass2: mass[a], child2Mass2: mass[b])
                    guard w2 > 0, density > 0 else { return false }
                    density /= w2
                }
            }
            return true
        }
        guard inside else { return 0 }
        let w = momenta[2] + momenta[3]
        let m2 = w.m2
        guard let (yLo, yHi) = wRapidityRange(partons: partonSum(momenta), wTransverseMass: (m2 + w.pt2).squareRoot()) else { return 0 }
        let yW = w.rapidity
        guard yW >= yLo, yW <= yHi else { return 0 }
        density *= wMap.density(m2) / (wConst * (yHi - yLo))
        return density.isFinite ? density : 0
    }

    public func inverse(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> [Double]? {
        guard momenta.count >= 2 + finalStateCount else { return nil }
        var y = [Double](repeating: 0, count: dimension)
        func unitPhi(_ p: FourVector) -> Double {
            let f = p.phi / PhaseSpaceConstants.twoPi
            return f < 0 ? f + 1 : f
        }
        let (mom, mass) = nodeKinematics(momenta)
        var k = FourVector.zero
        for o in 0..<objSlot.count {
            let j = objYStart[o]
            if objSlot[o] >= 0 {
                let p = momenta[objSlot[o]]
                guard let (lo, hi) = objectRapidityRange(mt: p.pt, plus: k.e + k.pz, minus: k.e - k.pz) else { return nil }
                y[j] = singleMap.unsafelyUnwrapped.inverse(p.pt2)
                y[j + 1] = (p.rapidity - lo) / (hi - lo)
                y[j + 2] = unitPhi(p)
                k += p
                continue
            }
            let root = objRoot[o], q = mom[root]
            guard let (lo, hi) = objectRapidityRange(mt: (mass[root] + q.pt2).squareRoot(), plus: k.e + k.pz, minus: k.e - k.pz) else { return nil }
            k += q
            y[j] = clusterPTMap.unsafelyUnwrapped.inverse(q.pt2)
            y[j + 1] = (q.rapidity - lo) / (hi - lo)
            y[j + 2] = unitPhi(q)
            y[j + 3] = clusterMassMap.unsafelyUnwrapped.inverse(mass[root])
            for node in root..<objEnd[o] where nodeSlot[node] < 0 {
                var jj = nodeYStart[node]
                let a = nodeLeft[node], b = nodeRight[node], m2 = mass[node]
                if nodeSlot[a] < 0 {
                    y[jj] = DynamicPowerLaw.inverse(mass[a], lower: mass2Min, upper: m2, exponent: massExponent, offset: 0); jj += 1
                }
                if nodeSlot[b] < 0 {
                    let upper = childUpper(parent: m2, sibling: mass[a])
                    y[jj] = DynamicPowerLaw.inverse(mass[b], lower: mass2Min, upper: upper, exponent: massExponent, offset: 0); jj += 1
                }
                (y[jj], y[jj + 1]) = TwoBodyDecay.angles(of: mom[a], in: mom[node])
            }
        }
        let w = momenta[2] + momenta[3]
        guard let (yLo, yHi) = wRapidityRange(partons: partonSum(momenta), wTransverseMass: (w.m2 + w.pt2).squareRoot()) else { return nil }
        y[0] = wMap.inverse(w.m2)
        y[1] = (w.rapidity - yLo) / (yHi - yLo)
        (y[2], y[3]) = TwoBodyDecay.angles(of: momenta[2], in: w)
        return y
    }

    /// Single partons contribute 1/p_T² (t-channel emission); a cluster contributes 1/(p_T² + p_T,min²) for
    /// its emission and 1/m² for each of its s-channel propagators (root and internal nodes). The W
    /// propagator is common to all channels and omitted. Small regulators (10⁻³ p_T,min²) keep the factors
    /// finite for points outside the cuts.
    public func propagatorFactor(ofMomenta momenta: [FourVector]) -> Double {
        var f = 1.0
        let small = 1e-3 * regulator2
        for o in 0..<objSlot.count {
            if objSlot[o] >= 0 {
                f /= momenta[objSlot[o]].pt2 + small
                continue
            }
            let root = objRoot[o]
            var q = FourVector.zero
            for slot in nodeLeaves[root] { q += momenta[slot] }
            f /= q.pt2 + regulator2
            for node in root..<objEnd[o] where nodeSlot[node] < 0 {
                var r = FourVector.zero
                for slot in nodeLeaves[node] { r += momenta[slot] }
                f /= max(r.m2, 0) + small
            }
        }
        return f
    }
}
