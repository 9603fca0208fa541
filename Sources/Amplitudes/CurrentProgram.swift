// The Berends–Giele recursion (Berends & Giele, Nucl. Phys. B306 (1988) 759) compiled once per subprocess
// into a flat list of currents ("nodes") and the vertex terms that build them, shared between all colour flows.
//
// A node is the off-shell current of a subset S of legs for one colour flow restricted to S (flows that agree
// inside S share it). Vertices are the colour-ordered Feynman rules for Tr(T^a T^b) = δ^{ab}, derived from
// the Peskin–Schroeder rules (quark–gluon i g γ^μ t^a, three-gluon g f^{abc} V, four-gluon): q q̄ g (i/√2) γ^μ,
// g g g −(i/√2) V^{μνρ}, g g g g i g^{μρ}g^{νσ} − (i/2)(g^{μν}g^{ρσ} + g^{μσ}g^{νρ}), with g_s = 1 (the power
// g_s^{n−2} is applied to |M|²). The U(1) part of the gluon propagator gives colour-singlet currents of weight
// −1/N between quark lines. The W couples −i g_W/√2 γ^μ P_L V_CKM.
//
// Fermion signs: each node's value carries the parity of its external fermions read along the spinor chains
// (closed chains ū…v, then the open end); joining two currents multiplies by (−1)^(crossings) of the two
// fermion sets, the row (ψ̄) child counted first.

enum NodeKind: UInt8, Sendable { case gluon, singlet, psiBar, psi, w }

enum TermOp: UInt8, Sendable {
    case ggg        // a precedes b in colour: −(i/√2) V3(a, b)
    case gggg       // a, b, c in colour order
    case psiBarV    // ψ̄_a (i/√2) J̸_b
    case vPsi       // (i/√2) J̸_a ψ_b
    case psiBarW    // ψ̄_a (−i gW/√2) V W̸_b P_L
    case wPsi       // (−i gW/√2) V W̸_a P_L ψ_b
    case psiBarPsi  // (i/√2) ψ̄_a γ^μ ψ_b  (× −1/N for a singlet)
}

struct Term: Sendable {
    var op: TermOp
    var a: Int32, b: Int32, c: Int32
    /// Sign, colour weight and couplings other than g_s (the W vertex factor gets g_W and CKM).
    var factor: Complex
}

struct Node: Sendable {
    var mask: Int
    var kind: NodeKind
    var flavour: Int
    var terms: Range<Int>
    /// The current of all legs but the root: its last propagator is left off (the amplitude is on shell).
    var amputated: Bool
}

/// One colour flow that has a non-vanishing dual amplitude.
struct CompiledFlow: Sendable {
    var successor: [Int]
    var restNode: Int
    var sign: Double
}

/// Signed CKM element V_{up,down} for the Cabibbo-rotated 2×2 block (b and t decouple from d, s).
public func signedCKM(up: Int, down: Int, cabibboAngle: Double) -> Double {
    let c = cos(cabibboAngle), s = sin(cabibboAngle)
    switch (up, down) {
    case (2, 1), (4, 3): return c
    case (2, 3): return s
    case (4, 1): return -s
    default: return 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct CurrentProgram: Sendable {
    var legs: [RecursionLeg]
    var root: Int
    var nodes: [Node] = []
    var terms: [Term] = []
    var flows: [CompiledFlow] = []
    var colourMatrix: [Double] = []

    /// Compiles the recursion for `legs` (all outgoing), with root leg `root`.
    init(legs: [RecursionLeg], root: Int, gW: Double, cabibboAngle: Double) {
        self.legs = legs
        self.root = root
        let n = legs.count
        let slots = legs.map(\.slots)
        var fermionMask = 0
        for (i, l) in legs.enumerated() where l.isFermion { fermionMask |= 1 << i }
        // Leaves: node i is leg i.
        for (i, l) in legs.enumerated() {
            let kind: NodeKind, fl: Int
            switch l {
            case .gluon: kind = .gluon; fl = 0
            case .quark(let f): kind = .psiBar; fl = f
            case .antiquark(let f): kind = .psi; fl = f
            case .w: kind = .w; fl = 0
            }
            nodes.append(Node(mask: 1 << i, kind: kind, flavour: fl, terms: 0..<0, amputated: false))
        }
        let sqrtHalf = Complex(0, 1 / 2.0.squareRoot())
        let wVertex = Complex(0, -gW / 2.0.squareRoot())
        let all = (1 << n) - 1
        var memo: [NodeKey: [Int]] = [:]

        func crossings(_ x: Int, _ y: Int) -> Int {
            // pairs (i ∈ x, j ∈ y) with i > j, fermions only
            var count = 0
            var xs = x & fermionMask
            while xs != 0 {
                let i = xs.trailingZeroBitCount
                xs &= xs - 1
                count += (y & fermionMask & ((1 << i) - 1)).nonzeroBitCount
            }
            return count
        }
        func parity(_ k: Int) -> Double { k & 1 == 0 ? 1 : -1 }
        func wCharge(_ mask: Int) -> Int {
            for i in 0..<n where mask & (1 << i) != 0 { if case .w(let q) = legs[i] { return q } }
            return 0
        }

        let flowsAll = ColourFlows.enumerate(slots)
        var keptFlows: [[Int]] = []
        for succ in flowsAll {
            var pred = [Int](repeating: -1, count: n)
            for k in 0..<n where succ[k] >= 0 { pred[succ[k]] = k }
            // Open slots of a subset: (open left leg, open right leg, counts).
            func openSlots(_ s: Int) -> (left: Int, right: Int, nLeft: Int, nRight: Int) {
                var l = -1, r = -1, nl = 0, nr = 0
                for k in 0..<n where s & (1 << k) != 0 {
                    if slots[k].hasRight && s & (1 << succ[k]) == 0 { r = k; nr += 1 }
                    if slots[k].hasLeft && s & (1 << pred[k]) == 0 { l = k; nl += 1 }
                }
                return (l, r, nl, nr)
            }
            enum State { case dead, gluon, singlet, psiBar, psi }
            func state(_ s: Int) -> State {
                var nq = 0, na = 0
                for k in 0..<n where s & (1 << k) != 0 {
                    if case .quark = legs[k] { nq += 1 }
                    if case .antiquark = legs[k] { na += 1 }
                }
                let o = openSlots(s)
                switch nq - na {
                case 1: return (o.nRight == 1 && o.nLeft == 0) ? .psiBar : .dead
                case -1: return (o.nLeft == 1 && o.nRight == 0) ? .psi : .dead
                case 0:
                    if o.nLeft == 1 && o.nRight == 1 { return .gluon }
                    if o.nLeft == 0 && o.nRight == 0 && nq > 0 { return .singlet }
                    return .dead
                default: return .dead
                }
            }
            func key(_ s: Int) -> NodeKey {
                var links = [Int8](repeating: -1, count: n)
                for k in 0..<n where s & (1 << k) != 0 && slots[k].hasRight && s & (1 << succ[k]) != 0 { links[k] = Int8(succ[k]) }
                return NodeKey(mask: s, links: links)
            }
            func precedes(_ x: Int, _ y: Int) -> Bool {
                let r = openSlots(x).right, l = openSlots(y).left
                return r >= 0 && l >= 0 && succ[r] == l
            }

            func build(_ s: Int) -> [Int] {
                if s.nonzeroBitCount == 1 { return [s.trailingZeroBitCount] }
                let k = key(s)
                if let m = memo[k] { return m }
                let st = state(s)
                if st == .dead { memo[k] = []; return [] }
                var pending: [ResultKey: [Term]] = [:]
                func add(_ kind: NodeKind, _ fl: Int, _ t: Term) { pending[ResultKey(kind: kind, flavour: fl), default: []].append(t) }
                let low = s & -s
                var s1 = (s - 1) & s
                while s1 != 0 {
                    defer { s1 = (s1 - 1) & s }
                    if s1 & low == 0 { continue }
                    let s2 = s ^ s1
                    let xs = build(s1), ys = build(s2)
                    if xs.isEmpty || ys.isEmpty { continue }
                    for x in xs {
                        for y in ys {
                            combine(x, y, s1, s2, st, add)
                        }
                    }
                }
                // Four-gluon vertex: three gluon currents in colour order.
                if st == .gluon {
                    var a = (s - 1) & s
                    while a != 0 {
                        defer { a = (a - 1) & s }
                        guard state(a) == .gluon else { continue }
                        let rest = s ^ a
                        var b = (rest - 1) & rest
                        while b != 0 {
                            defer { b = (b - 1) & rest }
                            let c = rest ^ b
                            guard state(b) == .gluon, state(c) == .gluon, precedes(a, b), precedes(b, c) else { continue }
                            let na = build(a).filter { nodes[$0].kind == .gluon }
                            let nb = build(b).filter { nodes[$0].kind == .gluon }
                            let ncn = build(c).filter { nodes[$0].kind == .gluon }
                            let sg = parity(crossings(a, b) + crossings(a, c) + crossings(b, c))
                            for x in na { for y in nb { for z in ncn {
                                add(.gluon, 0, Term(op: .gggg, a: Int32(x), b: Int32(y), c: Int32(z), factor: Complex(0, sg)))
                            } } }
                        }
                    }
                }
                var ids: [Int] = []
                for (rk, ts) in pending.sorted(by: { ($0.key.kind.rawValue, $0.key.flavour) < ($1.key.kind.rawValue, $1.key.flavour) }) {
                    let start = terms.count
                    terms.append(contentsOf: ts)
                    nodes.append(Node(mask: s, kind: rk.kind, flavour: rk.flavour, terms: start..<terms.count, amputated: false))
                    ids.append(nodes.count - 1)
                }
                memo[k] = ids
                return ids
            }

            func combine(_ x: Int, _ y: Int, _ sx: Int, _ sy: Int, _ st: State,
                         _ add: (NodeKind, Int, Term) -> Void) {
                let kx = nodes[x].kind, ky = nodes[y].kind
                let fx = nodes[x].flavour, fy = nodes[y].flavour
                let sgn = parity(crossings(sx, sy))      // order x, y
                let sgnYX = parity(crossings(sy, sx))    // order y, x
                switch (kx, ky) {
                case (.gluon, .gluon):
                    guard st == .gluon else { return }
                    if precedes(sx, sy) { add(.gluon, 0, Term(op: .ggg, a: Int32(x), b: Int32(y), c: 0, factor: Complex(0, -sgn / 2.0.squareRoot()))) }
                    else if precedes(sy, sx) { add(.gluon, 0, Term(op: .ggg, a: Int32(y), b: Int32(x), c: 0, factor: Complex(0, -sgn / 2.0.squareRoot()))) }
                case (.psiBar, .gluon), (.psiBar, .singlet):
                    guard st == .psiBar, ky == .singlet || precedes(sx, sy) else { return }
                    add(.psiBar, fx, Term(op: .psiBarV, a: Int32(x), b: Int32(y), c: 0, factor: sgn * sqrtHalf))
                case (.gluon, .psiBar), (.singlet, .psiBar):
                    guard st == .psiBar, kx == .singlet || precedes(sy, sx) else { return }
                    add(.psiBar, fy, Term(op: .psiBarV, a: Int32(y), b: Int32(x), c: 0, factor: sgnYX * sqrtHalf))
                case (.gluon, .psi), (.singlet, .psi):
                    guard st == .psi, kx == .singlet || precedes(sx, sy) else { return }
                    add(.psi, fy, Term(op: .vPsi, a: Int32(x), b: Int32(y), c: 0, factor: sgn * sqrtHalf))
                case (.psi, .gluon), (.psi, .singlet):
                    guard st == .psi, ky == .singlet || precedes(sy, sx) else { return }
                    add(.psi, fx, Term(op: .vPsi, a: Int32(y), b: Int32(x), c: 0, factor: sgnYX * sqrtHalf))
                case (.psiBar, .w), (.w, .psiBar):
                    guard st == .psiBar else { return }
                    let (f, wq, rowNode, wNode, sg) = kx == .psiBar ? (fx, wCharge(sy), x, y, sgn) : (fy, wCharge(sx), y, x, sgnYX)
                    // The open end of ψ̄ is an outgoing quark: its charge grows by the W's.
                    for f2 in 1...5 where PDG.charge3(f2) == PDG.charge3(f) + 3 * wq {
                        let v = PDG.isUpType(f2) ? signedCKM(up: f2, down: f, cabibboAngle: cabibboAngle)
                                                 : signedCKM(up: f, down: f2, cabibboAngle: cabibboAngle)
                        if v != 0 { add(.psiBar, f2, Term(op: .psiBarW, a: Int32(rowNode), b: Int32(wNode), c: 0, factor: (sg * v) * wVertex)) }
                    }
                case (.w, .psi), (.psi, .w):
                    guard st == .psi else { return }
                    let (f, wq, colNode, wNode, sg) = ky == .psi ? (fy, wCharge(sx), y, x, sgn) : (fx, wCharge(sy), x, y, sgnYX)
                    // The open end of ψ is an outgoing antiquark of flavour f: charge −Q_f + Q_W = −Q_f2.
                    for f2 in 1...5 where PDG.charge3(f2) == PDG.charge3(f) - 3 * wq {
                        let v = PDG.isUpType(f2) ? signedCKM(up: f2, down: f, cabibboAngle: cabibboAngle)
                                                 : signedCKM(up: f, down: f2, cabibboAngle: cabibboAngle)
                        if v != 0 { add(.psi, f2, Term(op: .wPsi, a: Int32(wNode), b: Int32(colNode), c: 0, factor: (sg * v) * wVertex)) }
                    }
                case (.psiBar, .psi), (.psi, .psiBar):
                    guard fx == fy else { return }
                    let (row, col, sr, sc) = kx == .psiBar ? (x, y, sx, sy) : (y, x, sy, sx)
                    let sg = parity(crossings(sr, sc))
                    if st == .singlet {
                        add(.singlet, 0, Term(op: .psiBarPsi, a: Int32(row), b: Int32(col), c: 0, factor: (-sg / 3.0) * sqrtHalf))
                    } else if st == .gluon {
                        add(.gluon, 0, Term(op: .psiBarPsi, a: Int32(row), b: Int32(col), c: 0, factor: sg * sqrtHalf))
                    }
                default:
                    return
                }
            }

            // The amplitude of this flow: the rest current contracted with the root leg.
            let rest = all ^ (1 << root)
            let candidates = build(rest)
            var found: Int? = nil
            var sign = 1.0
            switch legs[root] {
            case .quark(let f):
                found = candidates.first { nodes[$0].kind == .psi && nodes[$0].flavour == f }
                sign = parity(crossings(1 << root, rest))
            case .antiquark(let f):
                found = candidates.first { nodes[$0].kind == .psiBar && nodes[$0].flavour == f }
                sign = parity(crossings(rest, 1 << root))
            case .gluon:
                found = candidates.first { nodes[$0].kind == .gluon }
            case .w:
                found = nil
            }
            if let r = found, !nodes[r].terms.isEmpty {
                nodes[r].amputated = true
                flows.append(CompiledFlow(successor: succ, restNode: r, sign: sign))
                keptFlows.append(succ)
            }
        }
        colourMatrix = ColourFlows.matrix(keptFlows, slots: slots)
    }
}

struct NodeKey: Hashable { var mask: Int; var links: [Int8] }
struct ResultKey: Hashable { var kind: NodeKind; var flavour: Int }
