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
    /// expanding every gluon's projector (subset U takes the −1/N term, which removes that gluon from both
    /// flows) leaves closed index loops, each worth N: the cycles of τ_U⁻¹ ∘ σ_U on the remaining legs with a
    /// right slot, plus the cycles of σ and of τ that consist of U gluons only.
    static func matrix(_ flows: [[Int]], slots: [ColourSlots], nc: Double = 3) -> [Double] {
        let f = flows.count, n = slots.count
        let gluons = slots.indices.filter { slots[$0].isGluon }
        let rights = slots.indices.filter { slots[$0].hasRight }
        let subsets = 1 << gluons.count
        var inU = [[Bool]](repeating: [Bool](repeating: false, count: n), count: subsets)
        var sizeU = [Int](repeating: 0, count: subsets)
        for u in 0..<subsets {
            for (i, g) in gluons.enumerated() where u & (1 << i) != 0 { inU[u][g] = true; sizeU[u] += 1 }
        }
        // For each flow and U: the bypassed successor map, its inverse, and the number of all-U cycles.
        var reduced = [[Int]](), inverse = [[Int]](), pureLoops = [Int]()
        reduced.reserveCapacity(f * subsets)
        for succ in flows {
            for u in 0..<subsets {
                var r = [Int](repeating: -1, count: n), inv = [Int](repeating: -1, count: n)
                for k in rights where !inU[u][k] {
                    var m = succ[k]
                    while inU[u][m] { m = succ[m] }
                    r[k] = m; inv[m] = k
                }
                var seen = [Bool](repeating: false, count: n), loops = 0
                for g in gluons where inU[u][g] && !seen[g] {
                    // A cycle through g stays inside U iff following σ from g returns to g through U only.
                    var m = g, closed = true
                    repeat { seen[m] = true; m = succ[m]; if !inU[u][m] { closed = false; break } } while m != g
                    if closed { loops += 1 }
                }
                reduced.append(r); inverse.append(inv); pureLoops.append(loops)
            }
        }
        var powers = [Double](repeating: 1, count: 2 * n + 2)
        for i in 1..<powers.count { powers[i] = powers[i - 1] * nc }
        var c = [Double](repeating: 0, count: f * f)
        var visited = [Bool](repeating: false, count: n)
        for a in 0..<f {
            for b in a..<f {
                var total = 0.0
                for u in 0..<subsets {
                    let sa = reduced[a * subsets + u], tb = inverse[b * subsets + u]
                    var loops = pureLoops[a * subsets + u] + pureLoops[b * subsets + u]
                    for k in rights { visited[k] = false }
                    for k in rights where !inU[u][k] && !visited[k] {
                        loops += 1
                        var m = k
                        while !visited[m] { visited[m] = true; m = tb[sa[m]] }
                    }
                    let weight = sizeU[u] & 1 == 0 ? 1.0 : -1.0
                    total += weight * powers[loops] / powers[sizeU[u]]
                }
                c[a * f + b] = total
                c[b * f + a] = total
            }
        }
        return c
    }
}
