// MadGraph-style process strings ("p p > e+ ve j j", "u d~ > e+ ve g", "p p > W+ j") → every partonic
// subprocess with a non-zero tree amplitude → groups of subprocesses that share one matrix element.
import Kinematics

public struct ProcessOptions: Sendable {
    /// Include b and b̄ in the multiparticle labels p and j (they never couple to the W: V_ub = V_cb = 0).
    public var includeBottom: Bool
    /// Electroweak parameters, including the Cabibbo angle (0: diagonal CKM).
    public var model: StandardModel
    public init(includeBottom: Bool = false, model: StandardModel = StandardModel()) {
        self.includeBottom = includeBottom
        self.model = model
    }
}

public struct Process: Sendable {
    public let string: String
    public let incomingLabels: [String]
    public let outgoingLabels: [String]
    /// Every partonic subprocess with a non-zero amplitude, in enumeration order.
    public let subprocesses: [Subprocess]
    /// The same subprocesses grouped by identical matrix element.
    public let groups: [SubprocessGroup]

    public init(_ string: String, options: ProcessOptions = ProcessOptions()) throws {
        self.string = string
        let sides = string.split(separator: ">", omittingEmptySubsequences: false)
        guard sides.count == 2 else { throw AmplitudeError.malformedProcess("'\(string)' needs exactly one '>'") }
        let inc = sides[0].split(whereSeparator: \.isWhitespace).map(String.init)
        let out = sides[1].split(whereSeparator: \.isWhitespace).map(String.init)
        guard inc.count == 2 else { throw AmplitudeError.malformedProcess("'\(string)' needs two incoming particles, found \(inc.count)") }
        guard !out.isEmpty else { throw AmplitudeError.malformedProcess("'\(string)' has no final state") }
        incomingLabels = inc
        outgoingLabels = out
        let inIds = try inc.map { try Process.expand($0, options) }
        let outIds = try out.map { try Process.expand($0, options) }

        // Final states are multisets: positions with the same label are sorted, then duplicates dropped.
        var finals: [[Int]] = []
        var seenFinal = Set<[Int]>()
        func walk(_ i: Int, _ cur: [Int]) {
            if i == outIds.count {
                var f = cur
                var groupsByLabel: [String: [Int]] = [:]
                for (k, l) in out.enumerated() { groupsByLabel[l, default: []].append(k) }
                for (_, pos) in groupsByLabel where pos.count > 1 {
                    let sorted = pos.map { f[$0] }.sorted { Process.partonOrder($0) < Process.partonOrder($1) }
                    for (k, p) in pos.enumerated() { f[p] = sorted[k] }
                }
                if seenFinal.insert(f).inserted { finals.append(f) }
                return
            }
            for id in outIds[i] { walk(i + 1, cur + [id]) }
        }
        walk(0, [])

        var candidates: [Subprocess] = []
        var anyChargeConserved = false
        for a in inIds[0] {
            for b in inIds[1] {
                for f in finals {
                    guard PDG.charge3(a) + PDG.charge3(b) == f.map(PDG.charge3).reduce(0, +) else { continue }
                    anyChargeConserved = true
                    let sp = Subprocess(incoming: [a, b], outgoing: f)
                    if Process.flavourAllowed(sp, options.model) { candidates.append(sp) }
                }
            }
        }
        guard anyChargeConserved else { throw AmplitudeError.chargeNotConserved(string) }

        // Group by canonical key; build one matrix element per group and drop groups with a vanishing amplitude.
        var order: [String] = []
        var byKey: [String: (rep: Subprocess, members: [(subprocess: Subprocess, legOrder: [Int])])] = [:]
        for sp in candidates {
            let (key, perm) = Process.canonicalKey(sp, options.model)
            if byKey[key] == nil {
                let legs = sp.incoming + sp.outgoing
                let ordered = perm.map { legs[$0] }
                byKey[key] = (Subprocess(incoming: Array(ordered[0..<2]), outgoing: Array(ordered[2...])), [])
                order.append(key)
            }
            byKey[key]!.members.append((sp, perm))
        }
        var groups: [SubprocessGroup] = []
        var subs: [Subprocess] = []
        for key in order {
            let g = byKey[key]!
            let me = try TreeMatrixElement(incoming: g.rep.incoming, outgoing: g.rep.outgoing, model: options.model)
            guard me.flowCount > 0, me.helicityCount > 0 else { continue }
            groups.append(SubprocessGroup(members: g.members, matrixElement: me))
        }
        let kept = Set(groups.flatMap { $0.members.map(\.subprocess) })
        subs = candidates.filter { kept.contains($0) }
        guard !groups.isEmpty else { throw AmplitudeError.noSubprocesses(string) }
        self.groups = groups
        self.subprocesses = subs
    }

    /// One line per group: its members (MadGraph names), colour flows and helicity configurations.
    public var summary: String {
        var lines = ["\(string): \(subprocesses.count) subprocesses in \(groups.count) groups"]
        for (i, g) in groups.enumerated() {
            let names = g.members.map { m in (m.subprocess.incoming.map(PDG.name) + [">"] + m.subprocess.outgoing.map(PDG.name)).joined(separator: " ") }
            var info = ""
            if let t = g.matrixElement as? TreeMatrixElement { info = " [\(t.flowCount) flows, \(t.helicityCount) helicities]" }
            lines.append("  group \(i + 1)\(info): " + names.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// PDG ids a label stands for.
    static func expand(_ label: String, _ options: ProcessOptions) throws -> [Int] {
        let l = label.lowercased()
        let nq = options.includeBottom ? 5 : 4
        switch l {
        case "p", "j": return [21] + Array(1...nq) + (1...nq).map { -$0 }
        case "l+": return [-11, -13]
        case "l-": return [11, 13]
        case "vl": return [12, 14]
        case "vl~": return [-12, -14]
        default:
            if let id = PDG.namedParticles[l] { return [id] }
            throw AmplitudeError.unknownParticle(label)
        }
    }

    /// Canonical order within a multiparticle: g, then quarks, then antiquarks.
    static func partonOrder(_ id: Int) -> Int { id == 21 ? 0 : (id > 0 ? id : 100 - id) }

    /// Net-flavour test: QCD conserves every flavour; one W changes one up-type and one down-type flavour
    /// by one unit each, through a non-zero CKM element.
    static func flavourAllowed(_ sp: Subprocess, _ model: StandardModel) -> Bool {
        var net = [Int](repeating: 0, count: 6)   // all-outgoing quark − antiquark count per flavour
        var wCharge = 0
        var coloured = 0
        for (i, id) in (sp.incoming + sp.outgoing).enumerated() {
            let sgn = i < 2 ? -1 : 1
            if PDG.isQuark(id) || PDG.isAntiquark(id) { net[abs(id)] += sgn * (id > 0 ? 1 : -1); coloured += 1 }
            if id == PDG.gluon { coloured += 1 }
            if abs(id) == PDG.wPlus && i >= 2 { wCharge += id > 0 ? 1 : -1 }
            if PDG.isLepton(id) && i >= 2 { wCharge += PDG.charge3(id) / 3 }
        }
        // Leptons: none, or one charged lepton and one neutrino of the same generation (lepton number conserved).
        let leptons = sp.outgoing.filter(PDG.isLepton)
        if !leptons.isEmpty {
            guard leptons.count == 2, leptons[0] * leptons[1] < 0,
                  (abs(leptons[0]) + 1) / 2 == (abs(leptons[1]) + 1) / 2,
                  abs(leptons[0]) % 2 != abs(leptons[1]) % 2 else { return false }
            // ℓ⁻ goes with ν̄, ℓ⁺ with ν: the charged one and the neutrino have opposite signs, already checked.
        }
        if sp.incoming.contains(where: { !PDG.isParton($0) }) { return false }
        let nonzero = (1...5).filter { net[$0] != 0 }
        if wCharge == 0 { return nonzero.isEmpty && coloured >= 2 }
        guard abs(wCharge) == 1, nonzero.count == 2 else { return false }
        // Partons carry charge −Q_W (all outgoing): W⁺ needs an up-type at −1 and a down-type at +1.
        let up = nonzero.first { $0 % 2 == 0 }, down = nonzero.first { $0 % 2 == 1 }
        guard let u = up, let d = down else { return false }
        guard net[u] == -wCharge, net[d] == wCharge else { return false }
        return signedCKM(up: u, down: d, cabibboAngle: model.cabibboAngle) != 0
    }

    /// The lexicographically smallest description of the subprocess over beam swaps and permutations of the
    /// final-state partons: leg kinds, flavour-identity pattern, isospin of W-coupled flavours, signed CKM
    /// elements between them, lepton charges. Equal keys imply equal matrix elements. Returns the key and the
    /// permutation (canonical position → index in the subprocess's own leg list).
    static func canonicalKey(_ sp: Subprocess, _ model: StandardModel) -> (String, [Int]) {
        let legs = sp.incoming + sp.outgoing
        let partonFinal = (2..<legs.count).filter { PDG.isParton(legs[$0]) }
        let otherFinal = (2..<legs.count).filter { !PDG.isParton(legs[$0]) }
        var best: (String, [Int])? = nil
        for perm in permutations(partonFinal) {
            for swap in [false, true] {
                let order = (swap ? [1, 0] : [0, 1]) + otherFinal + perm
                var label: [Int: Int] = [:]
                var flavours: [Int] = []
                var parts: [String] = []
                for (pos, idx) in order.enumerated() {
                    let id = legs[idx]
                    let io = pos < 2 ? "i" : "o"
                    if PDG.isQuark(id) || PDG.isAntiquark(id) {
                        let f = abs(id)
                        if label[f] == nil { label[f] = flavours.count; flavours.append(f) }
                        parts.append("\(io)\(id > 0 ? "q" : "a")\(label[f]!)")
                    } else if PDG.isLepton(id) {
                        parts.append("\(io)l\(PDG.charge3(id))\(abs(id) % 2)")
                    } else {
                        parts.append("\(io)\(id == 21 ? "g" : "W\(id > 0 ? "+" : "-")")")
                    }
                }
                for (i, a) in flavours.enumerated() {
                    for (j, b) in flavours.enumerated() where PDG.isUpType(a) && !PDG.isUpType(b) {
                        let v = signedCKM(up: a, down: b, cabibboAngle: model.cabibboAngle)
                        if v != 0 { parts.append("V\(i)\(j)=\(v)") }
                    }
                }
                let key = parts.joined(separator: " ")
                if best == nil || key < best!.0 { best = (key, order) }
            }
        }
        return best!
    }

    static func permutations(_ xs: [Int]) -> [[Int]] {
        if xs.count <= 1 { return [xs] }
        var result: [[Int]] = []
        for (i, x) in xs.enumerated() {
            var rest = xs
            rest.remove(at: i)
            for p in permutations(rest) { result.append([x] + p) }
        }
        return result
    }
}
