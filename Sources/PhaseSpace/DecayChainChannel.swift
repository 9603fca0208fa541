// s-channel decay chains at fixed ŝ: the total momentum splits as a binary tree; every internal node other
// than the root gets an invariant mass² from a massless power-law propagator map, every split is an
// isotropic two-body decay. Built from dΦₙ = dΦ_{n−1} dq²/(2π) dΦ₂ applied recursively.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kinematics

/// A binary splitting tree of outgoing particles (indices 0..<n).
public indirect enum DecayTree: Sendable, Equatable {
    case particle(Int)
    case split(DecayTree, DecayTree)

    public var particles: [Int] {
        switch self {
        case .particle(let i): return [i]
        case .split(let a, let b): return a.particles + b.particles
        }
    }
}

public struct DecayChainChannel: PartonicChannel {
    public let particleCount: Int
    public let dimension: Int
    /// ν of the mass maps: density ∝ (m²)^(−ν) on [0, m²_max] (ν < 1 keeps the zero endpoint integrable).
    public let exponent: Double

    // Flattened tree in pre-order (parents before children). leaf[k] ≥ 0: particle index of a leaf.
    private let left: [Int]
    private let right: [Int]
    private let leaf: [Int]
    /// First y index used by split node k: [mass of left if internal][mass of right if internal][cos θ][φ].
    private let yOffset: [Int]
    /// Leaf particle sets of each node, for summing momenta of foreign points.
    private let members: [[Int]]

    public init(tree: DecayTree, exponent: Double = 0.7) throws {
        guard case .split = tree else { throw PhaseSpaceError.unsupportedTopology("a decay chain needs at least one split") }
        guard exponent >= 0 && exponent < 1 else { throw PhaseSpaceError.invalidRange("decay-chain exponent must be in [0, 1), got \(exponent)") }
        let parts = tree.particles
        let n = parts.count
        guard Set(parts) == Set(0..<n) else {
            throw PhaseSpaceError.unsupportedTopology("decay tree leaves must be the particles 0..<\(n) once each, got \(parts)")
        }
        var l: [Int] = [], r: [Int] = [], lf: [Int] = [], mem: [[Int]] = []
        func add(_ t: DecayTree) -> Int {
            let k = l.count
            l.append(-1); r.append(-1); lf.append(-1); mem.append(t.particles)
            switch t {
            case .particle(let i): lf[k] = i
            case .split(let a, let b):
                let ka = add(a); let kb = add(b)
                l[k] = ka; r[k] = kb
            }
            return k
        }
        _ = add(tree)
        var offs = [Int](repeating: -1, count: l.count)
        var d = 0
        for k in 0..<l.count where lf[k] < 0 {
            offs[k] = d
            if lf[l[k]] < 0 { d += 1 }
            if lf[r[k]] < 0 { d += 1 }
            d += 2
        }
        left = l; right = r; leaf = lf; yOffset = offs; members = mem
        particleCount = n; dimension = d; self.exponent = exponent
    }

    // Power law on [0, U]: m² = U u^(1/(1−ν)), density (1−ν) m²^(−ν) U^(ν−1).
    @inline(__always) private func massValue(_ u: Double, upper: Double) -> Double { upper * pow(u, 1 / (1 - exponent)) }
    @inline(__always) private func massDensity(_ m2: Double, upper: Double) -> Double {
        guard m2 > 0, m2 <= upper else { return 0 }
        return (1 - exponent) * pow(m2, -exponent) * pow(upper, exponent - 1)
    }

    public func map(_ y: UnsafeBufferPointer<Double>, sHat: Double, into out: inout [FourVector], offset: Int) -> Double {
        let count = left.count
        return withUnsafeTemporaryAllocation(of: FourVector.self, capacity: count) { mom in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { mass2 in
                mom[0] = FourVector(sHat.squareRoot(), 0, 0, 0)
                mass2[0] = sHat
                for k in 0..<count { if leaf[k] >= 0 { mass2[k] = 0 } }
                var weight = 1.0
                for k in 0..<count where leaf[k] < 0 {
                    var j = yOffset[k]
                    let m2 = mass2[k], a = left[k], b = right[k]
                    if leaf[a] < 0 {
                        mass2[a] = massValue(y[j], upper: m2); j &+= 1
                        weight /= massDensity(mass2[a], upper: m2) * PhaseSpaceConstants.twoPi
                    }
                    if leaf[b] < 0 {
                        let room = m2.squareRoot() - mass2[a].squareRoot()
                        mass2[b] = massValue(y[j], upper: room * room); j &+= 1
                        weight /= massDensity(mass2[b], upper: room * room) * PhaseSpaceConstants.twoPi
                    }
                    weight *= TwoBodyDecay.weight(parentMass2: m2, child1Mass2: mass2[a], child2Mass2: mass2[b])
                    let (pa, pb) = TwoBodyDecay.decay(mom[k], parentMass2: m2, child1Mass2: mass2[a],
                                                      child2Mass2: mass2[b], u1: y[j], u2: y[j &+ 1])
                    mom[a] = pa; mom[b] = pb
                    if leaf[a] >= 0 { out[offset &+ leaf[a]] = pa }
                    if leaf[b] >= 0 { out[offset &+ leaf[b]] = pb }
                }
                return weight.isFinite ? weight : 0
            }
        }
    }

    /// Invariant masses² of every node of a given point (root = ŝ, leaves 0).
    private func nodeMasses(_ momenta: ArraySlice<FourVector>, sHat: Double) -> [Double] {
        let base = momenta.startIndex
        return (0..<left.count).map { k in
            if k == 0 { return sHat }
            if leaf[k] >= 0 { return 0 }
            var q = FourVector.zero
            for i in members[k] { q += momenta[base + i] }
            return max(q.m2, 0)
        }
    }

    public func density(of momenta: ArraySlice<FourVector>, sHat: Double) -> Double {
        let m2 = nodeMasses(momenta, sHat: sHat)
        var density = 1.0
        for k in 0..<left.count where leaf[k] < 0 {
            let a = left[k], b = right[k]
            if leaf[a] < 0 { density *= massDensity(m2[a], upper: m2[k]) * PhaseSpaceConstants.twoPi }
            if leaf[b] < 0 {
                let room = max(m2[k].squareRoot() - m2[a].squareRoot(), 0)
                density *= massDensity(m2[b], upper: room * room) * PhaseSpaceConstants.twoPi
            }
            let w = TwoBodyDecay.weight(parentMass2: m2[k], child1Mass2: m2[a], child2Mass2: m2[b])
            if w <= 0 { return 0 }
            density /= w
        }
        return density
    }

    /// The y that maps to the given CM-frame momenta (for invert-and-check tests and features).
    public func inverse(of momenta: ArraySlice<FourVector>, sHat: Double) -> [Double] {
        let m2 = nodeMasses(momenta, sHat: sHat)
        let base = momenta.startIndex
        func momentum(_ k: Int) -> FourVector {
            if k == 0 { return FourVector(sHat.squareRoot(), 0, 0, 0) }
            var q = FourVector.zero
            for i in members[k] { q += momenta[base + i] }
            return q
        }
        var y = [Double](repeating: 0, count: dimension)
        for k in 0..<left.count where leaf[k] < 0 {
            var j = yOffset[k]
            let a = left[k], b = right[k]
            if leaf[a] < 0 { y[j] = pow(m2[a] / m2[k], 1 - exponent); j += 1 }
            if leaf[b] < 0 {
                let room = m2[k].squareRoot() - m2[a].squareRoot()
                y[j] = pow(m2[b] / (room * room), 1 - exponent); j += 1
            }
            let (u1, u2) = TwoBodyDecay.angles(of: momentum(a), in: momentum(k))
            y[j] = u1; y[j + 1] = u2
        }
        return y
    }
}
