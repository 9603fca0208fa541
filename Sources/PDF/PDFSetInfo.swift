/// The metadata of a PDF set that nisgen uses: identity, αs and flavour thresholds.
///
/// Read from the set's `NAME.info` (LHAPDF 6 keys), overridden key by key by the member file's header
/// (as LHAPDF does), or taken from `PDFSetInfo.builtIn(name:)` when a set ships without `.info`.
/// Missing quark masses default to LHAPDF's configuration defaults (MUp 0.002, MDown 0.005,
/// MStrange 0.10, MCharm 1.29, MBottom 4.19, MTop 172.9 GeV), MZ to 91.1876 GeV.
public struct PDFSetInfo: Sendable, Equatable {
    public var name: String
    /// LHAPDF id of member 0 (`SetIndex`); member m has id setIndex + m.
    public var setIndex: Int?
    public var numMembers: Int?
    /// Perturbative order of the fit, 0 = LO (`OrderQCD`).
    public var orderQCD: Int
    /// αs(MZ) (`AlphaS_MZ`), used for analytic running.
    public var alphaSMZ: Double?
    /// Z mass the reference αs refers to (`MZ`).
    public var mZ: Double
    /// Loop order minus one of the αs running (`AlphaS_OrderQCD`, defaults to `OrderQCD`): 0 = 1-loop.
    public var alphaSOrderQCD: Int
    /// Tabulated αs (`AlphaS_Qs`, `AlphaS_Vals`), interpolated when present.
    public var alphaSQs: [Double]?
    public var alphaSVals: [Double]?
    /// `AlphaS_Type` as written in the file (ipol, analytic, ode); informative only.
    public var alphaSType: String?
    /// Flavour thresholds for αs in GeV, d u s c b t (`ThresholdX`, falling back to `MX`).
    public var thresholds: [Double]
    /// Largest number of active flavours in the αs running (`AlphaS_NumFlavors`, else `NumFlavors`).
    public var maxFlavours: Int
    /// Flavours listed in the metadata (`Flavors`), checked against the grid when present.
    public var flavours: [Int]?

    public init(name: String, setIndex: Int? = nil, numMembers: Int? = nil, orderQCD: Int = 0,
                alphaSMZ: Double? = nil, mZ: Double = 91.1876, alphaSOrderQCD: Int? = nil,
                alphaSQs: [Double]? = nil, alphaSVals: [Double]? = nil, alphaSType: String? = nil,
                thresholds: [Double] = PDFSetInfo.defaultMasses, maxFlavours: Int = 5, flavours: [Int]? = nil) {
        self.name = name; self.setIndex = setIndex; self.numMembers = numMembers; self.orderQCD = orderQCD
        self.alphaSMZ = alphaSMZ; self.mZ = mZ; self.alphaSOrderQCD = alphaSOrderQCD ?? orderQCD
        self.alphaSQs = alphaSQs; self.alphaSVals = alphaSVals; self.alphaSType = alphaSType
        self.thresholds = thresholds; self.maxFlavours = maxFlavours; self.flavours = flavours
    }

    /// LHAPDF's configuration defaults for d, u, s, c, b, t masses in GeV.
    public static let defaultMasses: [Double] = [0.005, 0.002, 0.10, 1.29, 4.19, 172.9]
    private static let quarkNames = ["Down", "Up", "Strange", "Charm", "Bottom", "Top"]

    /// Sets nisgen knows without a `.info` file (the pythia8mc wheel ships member files only).
    /// NNPDF2.3 QCD+QED LO, αs(MZ) = 0.130 (arXiv:1308.0598): LHAPDF id 247000, 101 members, 1-loop αs,
    /// thresholds √2, 4.75, 175 GeV (the flavour thresholds visible in its grid), six active flavours.
    public static func builtIn(name: String) -> PDFSetInfo? {
        switch name {
        case "NNPDF23_lo_as_0130_qed":
            return PDFSetInfo(name: name, setIndex: 247000, numMembers: 101, orderQCD: 0, alphaSMZ: 0.130,
                              mZ: 91.1876, alphaSOrderQCD: 0, alphaSType: "analytic (built-in)",
                              thresholds: [0, 0, 0, 1.4142136, 4.75, 175.0], maxFlavours: 6,
                              flavours: [-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 21, 22])
        default:
            return nil
        }
    }

    /// Reads the keys nisgen uses; `base` supplies values for keys the text lacks (used to let a member
    /// header override the set's `.info`).
    init(metadata m: MetadataText, name: String, base: PDFSetInfo?) throws {
        var info = base ?? PDFSetInfo(name: name)
        info.name = name
        if let v = try m.int("SetIndex") { info.setIndex = v }
        if let v = try m.int("NumMembers") { info.numMembers = v }
        if let v = try m.int("OrderQCD") {
            info.orderQCD = v
            if !m.has("AlphaS_OrderQCD") && base == nil { info.alphaSOrderQCD = v }
        }
        if let v = try m.double("AlphaS_MZ") { info.alphaSMZ = v }
        if let v = try m.double("MZ") { info.mZ = v }
        if let v = try m.int("AlphaS_OrderQCD") { info.alphaSOrderQCD = v }
        if let v = try m.doubleList("AlphaS_Qs") { info.alphaSQs = v }
        if let v = try m.doubleList("AlphaS_Vals") { info.alphaSVals = v }
        if let v = m.string("AlphaS_Type") { info.alphaSType = v }
        for (i, q) in PDFSetInfo.quarkNames.enumerated() {
            if let v = try m.double("M" + q) { info.thresholds[i] = v }
        }
        for (i, q) in PDFSetInfo.quarkNames.enumerated() {
            if let v = try m.double("Threshold" + q) { info.thresholds[i] = v }
        }
        if let v = try m.int("NumFlavors") { info.maxFlavours = v }
        if let v = try m.int("AlphaS_NumFlavors") { info.maxFlavours = v }
        if let v = try m.intList("Flavors") { info.flavours = v }
        self = info
        try validate()
    }

    /// Consistency checks that would otherwise give silently wrong αs.
    func validate() throws {
        if let a = alphaSMZ, !(a > 0 && a < 1) { throw PDFError.badMetadata(set: name, key: "AlphaS_MZ", problem: "\(a) is not in (0, 1)") }
        if !(mZ > 0) { throw PDFError.badMetadata(set: name, key: "MZ", problem: "\(mZ) is not positive") }
        if !(0...2).contains(alphaSOrderQCD) {
            throw PDFError.badMetadata(set: name, key: "AlphaS_OrderQCD", problem: "\(alphaSOrderQCD) is not 0 (LO), 1 (NLO) or 2 (NNLO)")
        }
        if !(3...6).contains(maxFlavours) { throw PDFError.badMetadata(set: name, key: "NumFlavors", problem: "\(maxFlavours) is not in 3…6") }
        for i in 4..<thresholds.count where thresholds[i] < thresholds[i - 1] {
            throw PDFError.badMetadata(set: name, key: "Threshold" + PDFSetInfo.quarkNames[i], problem: "heavy-quark thresholds must not decrease (c ≤ b ≤ t)")
        }
        switch (alphaSQs, alphaSVals) {
        case (nil, nil): break
        case (let qs?, let vs?):
            if qs.count != vs.count {
                throw PDFError.badMetadata(set: name, key: "AlphaS_Vals", problem: "has \(vs.count) values but AlphaS_Qs has \(qs.count)")
            }
            if qs.count < 2 { throw PDFError.badMetadata(set: name, key: "AlphaS_Qs", problem: "needs at least 2 points") }
            for i in 0..<qs.count {
                if !(qs[i] > 0) { throw PDFError.badMetadata(set: name, key: "AlphaS_Qs", problem: "Q = \(qs[i]) is not positive") }
                if i > 0 && qs[i] < qs[i - 1] { throw PDFError.badMetadata(set: name, key: "AlphaS_Qs", problem: "Q values decrease at index \(i)") }
                if !(vs[i] > 0) { throw PDFError.badMetadata(set: name, key: "AlphaS_Vals", problem: "αs = \(vs[i]) is not positive") }
            }
        default:
            throw PDFError.badMetadata(set: name, key: alphaSQs == nil ? "AlphaS_Qs" : "AlphaS_Vals", problem: "AlphaS_Qs and AlphaS_Vals must be given together")
        }
    }
}
