// Toy integrands selectable by name with parameters (command line and run cards go through this).

/// Everything a toy may be configured with; fields a toy does not use are ignored, missing ones take defaults.
public struct ToySpecification: Sendable, Equatable {
    public var name: String
    public var dimension: Int?
    public var peaks: Int?
    /// One width for every peak (Gaussians) or every resonance (Breit–Wigner).
    public var width: Double?
    /// Explicit per-peak widths, centres (peaks × dimension) and amplitudes for the Gaussian mixture.
    public var widths: [Double]?
    public var centres: [[Double]]?
    public var amplitudes: [Double]?
    /// Multi-channel prior weights from the mappings' densities (see `GaussianMixture.usesPriorWeights`).
    public var usesPriorWeights: Bool = true
    public var radius: Double?
    public var masses: [Double]?

    public init(name: String) { self.name = name }

    public static let names = ["gaussians", "camel", "ring", "breitwigner"]

    public func make() throws -> any ToyIntegrand {
        switch name {
        case "gaussians":
            let dim = dimension ?? 2
            try requireToy(dim >= 1, "gaussians: dimension must be ≥ 1, got \(dim)")
            if let centres {
                let count = centres.count
                let widthList = widths ?? Array(repeating: width ?? 0.05, count: count)
                let amplitudeList = amplitudes ?? Array(repeating: 1, count: count)
                try requireToy(widthList.count == count, "gaussians: \(widthList.count) widths for \(count) centres")
                try requireToy(amplitudeList.count == count, "gaussians: \(amplitudeList.count) amplitudes for \(count) centres")
                let list = (0..<count).map { GaussianMixture.Peak(centre: centres[$0], width: widthList[$0], amplitude: amplitudeList[$0]) }
                return try GaussianMixture(dimension: dim, peaks: list, usesPriorWeights: usesPriorWeights)
            }
            var mixture = try GaussianMixture.standard(dimension: dim, peaks: peaks ?? 3, width: width ?? 0.05,
                                                       usesPriorWeights: usesPriorWeights)
            if widths != nil || amplitudes != nil {
                var list = mixture.peaks
                if let widths {
                    try requireToy(widths.count == list.count, "gaussians: \(widths.count) widths for \(list.count) peaks")
                    for k in list.indices { list[k].width = widths[k] }
                }
                if let amplitudes {
                    try requireToy(amplitudes.count == list.count, "gaussians: \(amplitudes.count) amplitudes for \(list.count) peaks")
                    for k in list.indices { list[k].amplitude = amplitudes[k] }
                }
                mixture = try GaussianMixture(dimension: dim, peaks: list, usesPriorWeights: usesPriorWeights)
            }
            return mixture
        case "camel":
            return try GaussianMixture.camel(dimension: dimension ?? 2, width: width ?? 0.1 / 2.0.squareRoot(),
                                             usesPriorWeights: usesPriorWeights)
        case "ring":
            if let dimension { try requireToy(dimension == 2, "ring: only dimension 2 is defined, got \(dimension)") }
            return try Annulus(radius: radius ?? 0.3, width: width ?? 0.02, usesPriorWeights: usesPriorWeights)
        case "breitwigner":
            let list = masses ?? Array(repeating: 0.5, count: dimension ?? 2)
            if let dimension { try requireToy(list.count == dimension, "breitwigner: \(list.count) masses for dimension \(dimension)") }
            let widthList = widths ?? Array(repeating: width ?? 0.02, count: list.count)
            return try BreitWignerProduct(masses: list, widths: widthList, usesPriorWeights: usesPriorWeights)
        default:
            throw ToyIntegrandError("unknown toy integrand '\(name)'; choose from: " + ToySpecification.names.joined(separator: ", "))
        }
    }
}
