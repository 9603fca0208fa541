// Particles of the W + jets processes, by PDG id, with the MadGraph-style names used in process strings.

/// What the recursion needs to know about one external particle.
public enum ParticleKind: Sendable, Equatable {
    case gluon, quark, antiquark, lepton, wBoson
}

/// PDG-id helpers. Quarks 1–5 (d u s c b), antiquarks negative, gluon 21, leptons 11–14 (and negatives), W± ±24.
public enum PDG {
    public static let gluon = 21
    public static let wPlus = 24

    public static func isQuark(_ id: Int) -> Bool { id >= 1 && id <= 5 }
    public static func isAntiquark(_ id: Int) -> Bool { id <= -1 && id >= -5 }
    public static func isParton(_ id: Int) -> Bool { id == gluon || isQuark(id) || isAntiquark(id) }
    public static func isLepton(_ id: Int) -> Bool { (11...14).contains(abs(id)) }
    /// Up-type quark flavour (u, c)? Uses |id|.
    public static func isUpType(_ id: Int) -> Bool { abs(id) % 2 == 0 }

    /// Electric charge in units of e/3.
    public static func charge3(_ id: Int) -> Int {
        let a = abs(id), s = id > 0 ? 1 : -1
        switch a {
        case 1, 3, 5: return -1 * s
        case 2, 4, 6: return 2 * s
        case 11, 13: return -3 * s
        case 12, 14: return 0
        case 24: return 3 * s
        default: return 0
        }
    }

    public static func kind(_ id: Int) -> ParticleKind? {
        if id == gluon { return .gluon }
        if isQuark(id) { return .quark }
        if isAntiquark(id) { return .antiquark }
        if isLepton(id) { return .lepton }
        if abs(id) == wPlus { return .wBoson }
        return nil
    }

    /// MadGraph-style name of a single particle.
    public static func name(_ id: Int) -> String {
        let base: [Int: String] = [1: "d", 2: "u", 3: "s", 4: "c", 5: "b", 21: "g",
                                   11: "e-", 12: "ve", 13: "mu-", 14: "vm", 24: "W+"]
        switch id {
        case -11: return "e+"
        case -13: return "mu+"
        case -24: return "W-"
        default:
            if let n = base[abs(id)] { return id > 0 ? n : n + "~" }
            return "pdg\(id)"
        }
    }

    /// Single-particle names accepted in process strings (MadGraph spelling, plus a few aliases).
    static let namedParticles: [String: Int] = {
        var m: [String: Int] = ["g": 21, "e-": 11, "e+": -11, "ve": 12, "ve~": -12,
                                "mu-": 13, "mu+": -13, "vm": 14, "vm~": -14, "vmu": 14, "vmu~": -14,
                                "w+": 24, "w-": -24]
        for (q, id) in [("d", 1), ("u", 2), ("s", 3), ("c", 4), ("b", 5)] { m[q] = id; m[q + "~"] = -id }
        return m
    }()
}
