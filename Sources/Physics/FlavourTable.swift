// How each subprocess member maps the phase-space slots onto its matrix element, and which parton
// luminosities are summed before |M|² is evaluated.
//
// A member's own order is (incoming₀, incoming₁, outgoing…). incoming₀ comes from beam 1 (+z, x₁) and
// incoming₁ from beam 2 (−z, x₂). Outgoing particles are matched to slots by type: the charged lepton → 2,
// the neutrino → 3, the partons → 4, 5, … in the order they are listed. The matrix element receives
// momenta[slot(legOrder[i])] for i = 0..<legCount. Members whose composed slot order coincides share one
// |M|² evaluation; their luminosities f_a(x₁) f_b(x₂) are summed.
import Amplitudes

struct MatrixElementCall: Sendable {
    let group: Int
    /// Slot of each matrix-element leg.
    let slots: [Int]
    /// Members (indices into `FlavourTable.subprocesses`) whose luminosities multiply this |M|².
    let members: [Int]
}

struct FlavourTable: Sendable {
    /// Every member and its PDF flavour indices (into `pdgIDs`) on beams 1 and 2; separate arrays
    /// (not tuples) keep generic metadata look-ups out of the hot loop.
    let subprocesses: [Subprocess]
    let beam1: [Int]
    let beam2: [Int]
    let calls: [MatrixElementCall]
    /// Distinct incoming PDG ids whose densities each point needs.
    let pdgIDs: [Int]
    /// Member order → slot, per member (used to build event records).
    let memberSlots: [[Int]]
    /// Where each member came from: its group and its index in that group's `members` (events need the
    /// group's colour flows and the member's leg order).
    let memberGroup: [Int]
    let memberIndex: [Int]

    static func isChargedLepton(_ id: Int) -> Bool { [11, 13, 15].contains(abs(id)) }
    static func isNeutrino(_ id: Int) -> Bool { [12, 14, 16].contains(abs(id)) }
    static func isParton(_ id: Int) -> Bool { (1...6).contains(abs(id)) || id == 21 }

    init(groups: [SubprocessGroup], partons n: Int) throws {
        var members: [(Subprocess, Int, Int)] = []
        var memberSlots: [[Int]] = []
        var memberGroup: [Int] = [], memberIndex: [Int] = []
        var calls: [MatrixElementCall] = []
        var ids: [Int] = []
        func index(_ id: Int) -> Int {
            if let k = ids.firstIndex(of: id) { return k }
            ids.append(id); return ids.count - 1
        }
        guard !groups.isEmpty else { throw PhysicsError.invalidProcess("no subprocess groups given") }
        for (g, group) in groups.enumerated() {
            let legs = 4 + n
            guard group.matrixElement.legCount == legs else {
                throw PhysicsError.invalidProcess("group \(g): matrix element has \(group.matrixElement.legCount) legs, W + \(n) partons needs \(legs)")
            }
            var byOrder: [[Int]: [Int]] = [:]
            var orderList: [[Int]] = []
            for (k, (subprocess, legOrder)) in group.members.enumerated() {
                guard subprocess.incoming.count == 2, subprocess.incoming.allSatisfy(Self.isParton) else {
                    throw PhysicsError.invalidProcess("\(subprocess): needs two incoming partons")
                }
                guard subprocess.outgoing.count == legs - 2 else {
                    throw PhysicsError.invalidProcess("\(subprocess): needs \(legs - 2) outgoing particles (ℓ, ν and \(n) partons)")
                }
                var slot = [0, 1]
                var nextParton = 4
                var leptons = 0, neutrinos = 0
                for id in subprocess.outgoing {
                    if Self.isChargedLepton(id) { slot.append(2); leptons += 1 }
                    else if Self.isNeutrino(id) { slot.append(3); neutrinos += 1 }
                    else if Self.isParton(id) { slot.append(nextParton); nextParton += 1 }
                    else { throw PhysicsError.invalidProcess("\(subprocess): unsupported outgoing particle \(id)") }
                }
                guard leptons == 1, neutrinos == 1 else {
                    throw PhysicsError.invalidProcess("\(subprocess): needs exactly one charged lepton and one neutrino")
                }
                guard legOrder.count == legs, Set(legOrder) == Set(0..<legs) else {
                    throw PhysicsError.invalidProcess("\(subprocess): leg order \(legOrder) is not a permutation of 0..<\(legs)")
                }
                let composed = legOrder.map { slot[$0] }
                members.append((subprocess, index(subprocess.incoming[0]), index(subprocess.incoming[1])))
                memberSlots.append(slot)
                memberGroup.append(g); memberIndex.append(k)
                if byOrder[composed] == nil { orderList.append(composed) }
                byOrder[composed, default: []].append(members.count - 1)
            }
            for order in orderList { calls.append(MatrixElementCall(group: g, slots: order, members: byOrder[order]!)) }
        }
        self.subprocesses = members.map { $0.0 }
        self.beam1 = members.map { $0.1 }
        self.beam2 = members.map { $0.2 }
        self.memberSlots = memberSlots
        self.memberGroup = memberGroup
        self.memberIndex = memberIndex
        self.calls = calls
        self.pdgIDs = ids
    }
}
