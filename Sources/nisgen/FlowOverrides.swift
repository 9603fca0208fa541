// The flow settings a run card or the command line gives for `nisgen integrate`; whatever is left unset
// follows the toy's dimension (`FlowConfig.scaled(dimension:)`), which is only known once the toy is built.
import Flows

struct FlowOverrides: Equatable {
    var bins: Int?
    var hiddenLayers: Int?
    var hiddenUnits: Int?
    var couplingBlocks: Int?

    func config(dimension: Int) -> FlowConfig {
        .scaled(dimension: dimension, bins: bins, hiddenLayers: hiddenLayers, hiddenUnits: hiddenUnits, couplingBlocks: couplingBlocks)
    }
}
