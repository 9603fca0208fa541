// Colour flows for events: a parton shower needs one colour connection per event. As MadGraph does with its
// leading-colour JAMP², a flow σ is chosen with probability ∝ Σ_h |A_σ|² (its helicity-summed dual amplitude),
// and translated into Les Houches colour tags (501, 502, …).
import Kinematics

extension TreeMatrixElement {
    /// Σ_h |A_σ|² for every colour flow σ (at g_s = 1; only ratios matter).
    public func colourFlowWeights(_ momenta: [FourVector]) -> [Double] {
        precondition(momenta.count == legCount, "matrix element of \(legCount) legs called with \(momenta.count) momenta")
        let (k, lep) = legMomenta(momenta)
        var w = [Double](repeating: 0, count: flowCount)
        for h in helicities {
            let a = dualAmplitudes(legMomenta: k, helicities: h, leptons: lep)
            for f in a.indices { w[f] += a[f].norm2 }
        }
        return w
    }

    /// LHE colour tags (ICOLUP1, ICOLUP2) of every external leg, in this element's leg order, for flow `flow`.
    /// In the all-outgoing picture a leg's right slot is its colour and its left slot its anticolour; a colour
    /// line joins a right slot with the left slot of its successor. Incoming legs are crossed back (colour and
    /// anticolour swap); colourless legs get (0, 0).
    public func colourTags(flow: Int) -> [(colour: Int, anticolour: Int)] {
        let succ = program.flows[flow].successor
        var right = [Int](repeating: 0, count: program.legs.count), left = right
        var next = 501
        for k in program.legs.indices where succ[k] >= 0 {
            right[k] = next
            left[succ[k]] = next
            next += 1
        }
        var tags = [(colour: Int, anticolour: Int)](repeating: (0, 0), count: legCount)
        for (i, s) in sources.enumerated() {
            if case .parton(let index, let incoming) = s {
                tags[index] = incoming ? (left[i], right[i]) : (right[i], left[i])
            }
        }
        return tags
    }

    /// Chooses a flow with probability ∝ `colourFlowWeights` using `uniform` ∈ [0, 1) and returns its tags.
    public func sampleColourTags(_ momenta: [FourVector], uniform: Double) -> [(colour: Int, anticolour: Int)] {
        let w = colourFlowWeights(momenta)
        let total = w.reduce(0, +)
        var target = uniform * total
        for f in w.indices {
            target -= w[f]
            if target < 0 { return colourTags(flow: f) }
        }
        return colourTags(flow: w.lastIndex { $0 > 0 } ?? 0)
    }
}

extension SubprocessGroup {
    /// Colour tags for member `member` at momenta in that member's own leg order, in that order.
    public func sampleColourTags(member: Int, _ momenta: [FourVector], uniform: Double) -> [(colour: Int, anticolour: Int)]? {
        guard let me = matrixElement as? TreeMatrixElement else { return nil }
        let order = members[member].legOrder
        let tags = me.sampleColourTags(order.map { momenta[$0] }, uniform: uniform)
        var out = tags
        for (i, j) in order.enumerated() { out[j] = tags[i] }
        return out
    }
}
