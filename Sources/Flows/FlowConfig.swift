// Hyper-parameters of a coupling flow and the choice of which dimensions each coupling block transforms.
import Numerics

public struct FlowConfig: Sendable, Equatable {
    /// How the transformed/conditioning split changes from block to block.
    public enum Permutations: Sendable, Equatable {
        /// Block pairs from the bits of each dimension index: for bit b, first the dimensions whose bit b is 1,
        /// then the complement (MadNIS "log" scheme): ⌈log₂ d⌉ pairs let every pair of dimensions condition on each other.
        case log
        /// Alternately the second and the first half of the dimensions.
        case exchange
        /// Random halves, reproducible from the seed (pairs of a random half and its complement).
        case random(seed: UInt64)

        /// `.random(seed)` spelled without the label.
        public static func random(_ seed: UInt64) -> Permutations { .random(seed: seed) }
    }

    public var bins: Int = 10
    /// Number of coupling blocks; nil means 2⌈log₂ d⌉ (at least 2, or 1 in one dimension).
    public var couplingBlocks: Int? = nil
    public var hiddenLayers: Int = 3
    public var hiddenUnits: Int = 32
    public var activation: Activation = .leakyReLU(slope: 0.01)
    public var minBinWidth: Double = 1e-3
    public var minBinHeight: Double = 1e-3
    public var minDerivative: Double = 1e-3
    public var permutations: Permutations = .log

    public init(bins: Int = 10, couplingBlocks: Int? = nil, hiddenLayers: Int = 3, hiddenUnits: Int = 32,
                activation: Activation = .leakyReLU(slope: 0.01), minBinWidth: Double = 1e-3,
                minBinHeight: Double = 1e-3, minDerivative: Double = 1e-3, permutations: Permutations = .log) {
        self.bins = bins
        self.couplingBlocks = couplingBlocks
        self.hiddenLayers = hiddenLayers
        self.hiddenUnits = hiddenUnits
        self.activation = activation
        self.minBinWidth = minBinWidth
        self.minBinHeight = minBinHeight
        self.minDerivative = minDerivative
        self.permutations = permutations
    }

    /// Throws `FlowError.invalidConfiguration` naming the first bad setting for a flow of `dimension` dimensions
    /// (`CouplingFlow.init` traps on the same conditions; call this first on user input such as run cards).
    public func validate(dimension: Int) throws {
        if let p = problem(dimension: dimension) { throw FlowError.invalidConfiguration(p) }
    }

    /// Checks the settings; returns a description of the first problem, nil if fine.
    func problem(dimension d: Int) -> String? {
        if d < 1 { return "dimension must be ≥ 1, got \(d)" }
        if bins < 1 { return "bins must be ≥ 1, got \(bins)" }
        if let c = couplingBlocks, c < 1 { return "couplingBlocks must be ≥ 1, got \(c)" }
        if hiddenLayers < 0 || hiddenUnits < 1 { return "hiddenLayers ≥ 0 and hiddenUnits ≥ 1 required" }
        if !(minBinWidth >= 0 && Double(bins) * minBinWidth < 1) { return "bins·minBinWidth must be < 1" }
        if !(minBinHeight >= 0 && Double(bins) * minBinHeight < 1) { return "bins·minBinHeight must be < 1" }
        if !(minDerivative > 0 && minDerivative < 1) { return "minDerivative must lie in (0, 1)" }
        return nil
    }

    /// For each coupling block, the sorted list of dimensions it transforms (the others condition it).
    func transformedDimensions(dimension d: Int) -> [[Int]] {
        if d == 1 { return Array(repeating: [0], count: couplingBlocks ?? 1) }
        let bits = Int.bitWidth - (d - 1).leadingZeroBitCount  // ⌈log₂ d⌉ for d ≥ 2
        let count = couplingBlocks ?? max(2, 2 * bits)
        var pattern: [[Int]] = []
        switch permutations {
        case .log:
            for b in 0..<bits {
                let ones = (0..<d).filter { ($0 >> b) & 1 == 1 }
                pattern.append(ones)
                pattern.append((0..<d).filter { ($0 >> b) & 1 == 0 })
            }
        case .exchange:
            pattern = [Array((d / 2)..<d), Array(0..<(d / 2))]
        case .random(let seed):
            var rng = RandomStream(seed: seed, stream: 0x5eed)
            for _ in 0..<((count + 1) / 2) {
                var idx = Array(0..<d)
                for i in stride(from: d - 1, to: 0, by: -1) { idx.swapAt(i, rng.index(below: i + 1)) }
                let half = Array(idx[0..<(d / 2)]).sorted()
                pattern.append(half)
                pattern.append((0..<d).filter { !half.contains($0) })
            }
        }
        return (0..<count).map { pattern[$0 % pattern.count] }
    }
}
