// Flow sizes that follow the dimension of the problem (the defaults of `nisgen integrate` and of the
// Gaussian-mixture benchmark). With L = ⌈log₂ d⌉ (d ≥ 2):
//  - coupling blocks 2L (at least 2): the "log" permutation needs L block pairs before every dimension has
//    conditioned every other one, so fewer blocks leave correlations in high dimensions out of reach;
//  - two hidden layers of `unitsPerLevel`·(L + 1) units: wider subnets as each block conditions on more
//    dimensions and predicts more splines;
//  - spline bins fixed (`bins`), since each spline stays one-dimensional whatever d.
// d = 2, 4, 8 give 2, 4, 6 blocks and 16, 24, 32 units (unitsPerLevel 8).
extension FlowConfig {
    public static let unitsPerLevel = 8
    public static let binsForDimension = 16

    /// ⌈log₂ d⌉, 0 for d ≤ 1.
    static func levels(_ d: Int) -> Int { d <= 1 ? 0 : Int.bitWidth - (d - 1).leadingZeroBitCount }

    /// The dimension-scaled flow: 2⌈log₂ d⌉ blocks (≥ 2; 1 in one dimension), 2 hidden layers of
    /// 8·(⌈log₂ d⌉ + 1) units, 16 bins.
    public static func scaled(dimension d: Int) -> FlowConfig {
        let l = levels(d)
        return FlowConfig(bins: binsForDimension, couplingBlocks: d <= 1 ? 1 : max(2, 2 * l), hiddenLayers: 2,
                          hiddenUnits: unitsPerLevel * (l + 1))
    }

    /// The dimension-scaled flow with any of its settings replaced (a card's or the command line's choices).
    public static func scaled(dimension d: Int, bins: Int?, hiddenLayers: Int?, hiddenUnits: Int?, couplingBlocks: Int?) -> FlowConfig {
        var flow = scaled(dimension: d)
        if let bins { flow.bins = bins }
        if let hiddenLayers { flow.hiddenLayers = hiddenLayers }
        if let hiddenUnits { flow.hiddenUnits = hiddenUnits }
        if let couplingBlocks { flow.couplingBlocks = couplingBlocks }
        return flow
    }
}
