// Evaluation of a compiled Berends–Giele program at one phase-space point and helicity configuration.
// Node values live in one flat buffer (four complex numbers per node: a vector or a spinor), reused across
// helicity configurations; when only some legs change helicity, only the nodes containing them are redone.
import Kinematics

struct CurrentWorkspace {
    var values: [Complex]
    var momenta: [FourVector]
    var inversePropagator: [Double]
    var amplitudes: [Complex]
    /// Nodes that are exactly zero for the current helicity configuration (chirality makes many vanish);
    /// terms with a zero factor are skipped.
    var zero: [Bool]

    init(program: CurrentProgram) {
        zero = [Bool](repeating: false, count: program.nodes.count)
        values = [Complex](repeating: .zero, count: 4 * program.nodes.count)
        momenta = [FourVector](repeating: .zero, count: program.nodes.count)
        inversePropagator = [Double](repeating: 0, count: program.nodes.count)
        amplitudes = [Complex](repeating: .zero, count: program.flows.count)
    }
}

extension CurrentProgram {
    /// Sets node momenta for leg momenta `legMomenta` (all outgoing).
    func prepare(_ ws: inout CurrentWorkspace, legMomenta: [FourVector]) {
        for (i, node) in nodes.enumerated() {
            var p = FourVector.zero
            var m = node.mask
            while m != 0 { let k = m.trailingZeroBitCount; m &= m - 1; p += legMomenta[k] }
            ws.momenta[i] = p
            ws.inversePropagator[i] = p.m2
        }
    }

    @inline(__always) func vector(_ ws: CurrentWorkspace, _ i: Int) -> CVector {
        let o = 4 &* i
        return CVector(ws.values[o], ws.values[o &+ 1], ws.values[o &+ 2], ws.values[o &+ 3])
    }
    @inline(__always) func spinor(_ ws: CurrentWorkspace, _ i: Int) -> Spinor {
        let o = 4 &* i
        return Spinor(ws.values[o], ws.values[o &+ 1], ws.values[o &+ 2], ws.values[o &+ 3])
    }
    @inline(__always) func store(_ ws: inout CurrentWorkspace, _ i: Int, _ a: Complex, _ b: Complex, _ c: Complex, _ d: Complex) {
        let o = 4 &* i
        ws.values[o] = a; ws.values[o &+ 1] = b; ws.values[o &+ 2] = c; ws.values[o &+ 3] = d
    }
    func setLeaf(_ ws: inout CurrentWorkspace, leg: Int, vector v: CVector) { store(&ws, leg, v.t, v.x, v.y, v.z) }
    func setLeaf(_ ws: inout CurrentWorkspace, leg: Int, spinor s: Spinor) { store(&ws, leg, s.s0, s.s1, s.s2, s.s3) }

    /// Recomputes every internal node whose legs intersect `changed`, then every flow's dual amplitude.
    func evaluate(_ ws: inout CurrentWorkspace, changed: Int) {
        let n = legs.count
        let momenta = ws.momenta, inv = ws.inversePropagator
        nodes.withUnsafeBufferPointer { nodes in
        terms.withUnsafeBufferPointer { terms in
        momenta.withUnsafeBufferPointer { mom in
        inv.withUnsafeBufferPointer { inv in
        ws.zero.withUnsafeMutableBufferPointer { zero in
        ws.values.withUnsafeMutableBufferPointer { val in
            @inline(__always) func vec(_ i: Int) -> CVector { let o = 4 &* i; return CVector(val[o], val[o &+ 1], val[o &+ 2], val[o &+ 3]) }
            @inline(__always) func spin(_ i: Int) -> Spinor { let o = 4 &* i; return Spinor(val[o], val[o &+ 1], val[o &+ 2], val[o &+ 3]) }
            @inline(__always) func put(_ i: Int, _ a: Complex, _ b: Complex, _ c: Complex, _ d: Complex) {
                let o = 4 &* i; val[o] = a; val[o &+ 1] = b; val[o &+ 2] = c; val[o &+ 3] = d
                zero[i] = a.re == 0 && a.im == 0 && b.re == 0 && b.im == 0 && c.re == 0 && c.im == 0 && d.re == 0 && d.im == 0
            }
            for i in n..<nodes.count {
                let node = nodes[i]
                if node.mask & changed == 0 { continue }
                switch node.kind {
                case .gluon, .singlet:
                    var v = CVector.zero
                    for ti in node.terms {
                        let t = terms[ti]
                        let a = Int(t.a), b = Int(t.b)
                        if zero[a] || zero[b] || (t.op == .gggg && zero[Int(t.c)]) { continue }
                        switch t.op {
                        case .ggg:
                            let ja = vec(a), jb = vec(b)
                            let pa = mom[a], pb = mom[b]
                            // V^ρ = (J_a·J_b)(P_b − P_a)^ρ − J_b^ρ ((P_a + 2P_b)·J_a) + J_a^ρ ((2P_a + P_b)·J_b)
                            let v3 = (ja.dot(jb) * (pb - pa)) - ja.dot(pa + 2 * pb) * jb + jb.dot(2 * pa + pb) * ja
                            v = v + t.factor * v3
                        case .gggg:
                            let ja = vec(a), jb = vec(b), jc = vec(Int(t.c))
                            let v4 = ja.dot(jc) * jb - 0.5 * (ja.dot(jb) * jc + jb.dot(jc) * ja)
                            v = v + t.factor * v4
                        case .psiBarPsi:
                            v = v + t.factor * Dirac.current(spin(a), spin(b))
                        default: break
                        }
                    }
                    if !node.amputated { v = Complex(0, -1 / inv[i]) * v }
                    put(i, v.t, v.x, v.y, v.z)
                case .psiBar:
                    var s = Spinor.zero
                    for ti in node.terms {
                        let t = terms[ti]
                        if zero[Int(t.a)] || zero[Int(t.b)] { continue }
                        switch t.op {
                        case .psiBarV: s = s + t.factor * Dirac.slash(spin(Int(t.a)), vec(Int(t.b)))
                        case .psiBarW: s = s + t.factor * Dirac.slash(spin(Int(t.a)), vec(Int(t.b))).leftProjected
                        default: break
                        }
                    }
                    // ψ̄ · i P̸ / P², P = Σ outgoing momenta of the subset (flows along the fermion arrow).
                    if !node.amputated { s = Complex(0, 1 / inv[i]) * Dirac.slash(s, mom[i]) }
                    put(i, s.s0, s.s1, s.s2, s.s3)
                case .psi:
                    var s = Spinor.zero
                    for ti in node.terms {
                        let t = terms[ti]
                        if zero[Int(t.a)] || zero[Int(t.b)] { continue }
                        switch t.op {
                        case .vPsi: s = s + t.factor * Dirac.slash(vec(Int(t.a)), spin(Int(t.b)))
                        case .wPsi: s = s + t.factor * Dirac.slash(vec(Int(t.a)), spin(Int(t.b)).leftProjected)
                        default: break
                        }
                    }
                    // i (−P̸) / P² · ψ: the momentum along the fermion arrow is −P.
                    if !node.amputated { s = Complex(0, -1 / inv[i]) * Dirac.slash(mom[i], s) }
                    put(i, s.s0, s.s1, s.s2, s.s3)
                case .w:
                    break
                }
            }
        } } } } } }
        for (f, flow) in flows.enumerated() {
            let r = flow.restNode
            let amp: Complex
            switch legs[root] {
            case .quark: amp = spinor(ws, root).contract(spinor(ws, r))
            case .antiquark: amp = spinor(ws, r).contract(spinor(ws, root))
            default: amp = vector(ws, r).dot(vector(ws, root))
            }
            ws.amplitudes[f] = flow.sign * amp
        }
    }

    /// Σ_{στ} A_σ* C_στ A_τ for the current dual amplitudes.
    func colourSummed(_ ws: CurrentWorkspace) -> Double {
        let f = flows.count
        var total = 0.0
        ws.amplitudes.withUnsafeBufferPointer { a in
            colourMatrix.withUnsafeBufferPointer { c in
                for i in 0..<f {
                    let ai = a[i]
                    var row = c[i &* f &+ i] * ai.norm2
                    for j in (i &+ 1)..<f {
                        let aj = a[j]
                        row += 2 * c[i &* f &+ j] * (ai.re * aj.re + ai.im * aj.im)
                    }
                    total += row
                }
            }
        }
        return total
    }
}
