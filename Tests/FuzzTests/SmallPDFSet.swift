// A small valid lhagrid1 member (two subgrids meeting at the charm threshold, all 14 flavours of the shipped
// set) and a .info for it: seeds on which mutations hit structure far more often than in a 1 MB grid.
enum SmallPDFSet {
    static let flavours = [-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 21, 22]
    static let xs = [1e-9, 1e-6, 1e-3, 0.1, 0.5, 1.0]
    static let subgridQs = [[1.0, 1.2, 1.4142136], [1.4142136, 10.0, 100.0, 1e4, 1e5]]

    static var grid: String {
        var text = "PdfType: central\nFormat: lhagrid1\n---\n"
        for qs in subgridQs {
            text += xs.map { "\($0)" }.joined(separator: " ") + "\n"
            text += qs.map { "\($0)" }.joined(separator: " ") + "\n"
            text += flavours.map(String.init).joined(separator: " ") + "\n"
            for (i, x) in xs.enumerated() {
                for (j, _) in qs.enumerated() {
                    text += flavours.indices.map { f in "\((1 - x) * Double(1 + i + j + f) * 0.01)" }.joined(separator: " ") + "\n"
                }
            }
            text += "---\n"
        }
        return text
    }

    static let info = """
    SetDesc: "small grid for fuzzing"
    SetIndex: 247000
    NumMembers: 1
    OrderQCD: 0
    AlphaS_MZ: 0.130
    AlphaS_OrderQCD: 0
    MZ: 91.1876
    AlphaS_Type: ipol
    AlphaS_Qs: [1.0, 10.0, 91.1876, 1000.0, 100000.0]
    AlphaS_Vals: [0.4, 0.2, 0.130, 0.09, 0.06]
    Flavors: [-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 21, 22]
    NumFlavors: 6
    MCharm: 1.4142136
    MBottom: 4.75
    MTop: 175.0

    """
}
