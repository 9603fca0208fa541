// Colour flows and the exact colour matrix.
//
// Why colour-ordered amplitudes in the colour-flow basis plus a colour matrix (rather than a colour-dressed
// recursion with colours sampled or enumerated): the exact colour sum is required by default, and for
// W + 4 jets an enumeration of explicit colour assignments costs ~10⁴–10⁵ recursions per helicity, whereas the
// colour-flow decomposition needs one dual amplitude per flow (24 for q q̄ W + 4 g) and one precomputed real
// matrix. The flow basis (Maltoni, Paul, Stelzer, Willenbrock, hep-ph/0209271) treats every multi-quark
// process uniformly: internal gluons carry δ δ − (1/N) δ δ, so the U(1) exchanges between quark lines are
// explicit −1/N currents, and nothing process-specific (like the four-quark colour decompositions of the
// literature) has to be hand-written.
//
// Conventions: generators T^a with Tr(T^a T^b) = δ^{ab}. A flow σ maps every leg with a "right" colour slot
// (outgoing quarks and gluons) to the leg with a "left" slot (outgoing antiquarks and gluons) that follows it
// along a colour line; its colour tensor is the product of the chains (T^{a_1}…T^{a_k})_{i_q}^{ī_q̄} and traces.
// The full amplitude is M = Σ_σ c_σ A_σ and Σ_colours |M|² = Σ_{στ} A_σ* C_{στ} A_τ.

/// The colour slots of one external leg (all outgoing).
struct ColourSlots: Sendable {
    var hasLeft: Bool
    var hasRight: Bool
    var isGluon: Bool { hasLeft && hasRight }
}

enum ColourFlows {
    /// Every bijection from right-slot legs to left-slot legs with no gluon mapped to itself (a single-gluon
    /// trace vanishes). `succ[k]` is the successor of leg k (−1 for legs without a right slot).
    static func enumerate(_ slots: [ColourSlots]) -> [[Int]] {
        let rights = slots.indices.filter { slots[$0].hasRight }
        let lefts = slots.indices.filter { slots[$0].hasLeft }
        guard rights.count == lefts.count else { return [] }
        var result: [[Int]] = []
        var succ = [Int](repeating: -1, count: slots.count)
        var used = [Bool](repeating: false, count: slots.count)
        func place(_ r: Int) {
            if r == rights.count { result.append(succ); return }
            let k = rights[r]
            for m in lefts where !used[m] && m != k {
                used[m] = true; succ[k] = m
                place(r + 1)
                used[m] = false; succ[k] = -1
            }
        }
        place(0)
        return result
    }

    /// C_{στ} = Σ_{colours} c_σ* c_τ, exact in N, for flows `flows` over legs with `slots`.
    /// Summing one external gluon's adjoint index gives Σ_a (T^a)_i^j (T^a)_k^l = δ_i^l δ_k^j − (1/N) δ_i^j δ_k^l;
    /// expanding every gluon's projector (subset U takes the −1/N term) leaves closed index loops, each worth N.
    static func matrix(_ flows: [[Int]], slots: [ColourSlots], nc: Double = 3) -> [Double] {
        let f = flows.count, n = slots.count
        let gluons = slots.indices.filter { slots[$0].isGluon }
        var c = [Double](repeating: 0, count: f * f)
        // Vertex index: ((leg * 2 + side) * 2 + copy), side 0 = left, 1 = right; copy 0 = σ, 1 = τ.
        var parent = [Int](repeating: 0, count: 4 * n)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
        func union(_ a: Int, _ b: Int) { let ra = find(a), rb = find(b); if ra != rb { parent[ra] = rb } }
        func v(_ leg: Int, _ side: Int, _ copy: Int) -> Int { (leg &* 2 &+ side) &* 2 &+ copy }
        for a in 0..<f {
            for b in a..<f {
                var total = 0.0
                for u in 0..<(1 << gluons.count) {
                    var inU = [Bool](repeating: false, count: n)
                    var size = 0
                    for (i, g) in gluons.enumerated() where u & (1 << i) != 0 { inU[g] = true; size += 1 }
                    for i in 0..<(4 * n) { parent[i] = i }
                    for leg in 0..<n {
                        if inU[leg] {
                            union(v(leg, 0, 0), v(leg, 1, 0)); union(v(leg, 0, 1), v(leg, 1, 1))
                        } else {
                            union(v(leg, 0, 0), v(leg, 0, 1)); union(v(leg, 1, 0), v(leg, 1, 1))
                        }
                    }
                    for leg in 0..<n where slots[leg].hasRight {
                        union(v(leg, 1, 0), v(flows[a][leg], 0, 0))
                        union(v(leg, 1, 1), v(flows[b][leg], 0, 1))
                    }
                    var loops = 0
                    for leg in 0..<n {
                        for side in 0..<2 where (side == 0 ? slots[leg].hasLeft : slots[leg].hasRight) {
                            for copy in 0..<2 where find(v(leg, side, copy)) == v(leg, side, copy) { loops += 1 }
                        }
                    }
                    var term = 1.0
                    for _ in 0..<loops { term *= nc }
                    for _ in 0..<size { term *= -1 / nc }
                    total += term
                }
                c[a * f + b] = total
                c[b * f + a] = total
            }
        }
        return c
    }
}
