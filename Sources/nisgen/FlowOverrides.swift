// The flow settings a run card or the command line gives for `nisgen integrate`; whatever is left unset
// follows the toy's dimension (`FlowConfig.scaled(dimension:)`), which is only known once the toy is built.
import Flows

struct FlowOverrides: Equatable {
    var bins: Int?
    var hiddenLayers: Int?
    var hiddenUnits: Int?
    var couplingBlocks: Int?

    func config(dimension: Int) -> FlowConfig {
        var flow = FlowConfig.scaled(dimension: dimension)
        if let v = bins { flow.bins = v }
        if let v = hiddenLayers { flow.hiddenLayers = v }
        if let v = hiddenUnits { flow.hiddenUnits = v }
        if let v = couplingBlocks { flow.couplingBlocks = v }
        return flow
    }
}
