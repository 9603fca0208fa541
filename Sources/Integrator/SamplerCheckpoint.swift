// A trained neural sampler on disk: the flows' and channel-weight net's parameters with what is needed to
// rebuild them. Little-endian binary, all integers Int64, parameters Float32:
//   "NISCKPT1" (8 bytes)
//   dimension, channelCount, bins, couplingBlocks (−1: default), hiddenLayers, hiddenUnits
//   channelCount bytes: active mask (1 active, 0 dropped)
//   flowCount; per flow: channel, parameterCount, parameters
//   channelWeightParameterCount (0: fixed prior weights); parameters
// Readers check the magic, every count against the file size and the flow shapes against the settings.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Numerics
import Flows

public struct SamplerCheckpoint: Sendable, Equatable {
    public static let magic = Array("NISCKPT1".utf8)
    public var dimension: Int
    public var channelCount: Int
    public var flow: FlowConfig
    public var active: [Bool]
    /// Flow parameters by channel.
    public var flowParameters: [Int: [Float]]
    public var channelWeightParameters: [Float]

    public init(dimension: Int, channelCount: Int, flow: FlowConfig, active: [Bool], flowParameters: [Int: [Float]],
                channelWeightParameters: [Float]) {
        self.dimension = dimension; self.channelCount = channelCount; self.flow = flow; self.active = active
        self.flowParameters = flowParameters; self.channelWeightParameters = channelWeightParameters
    }

    /// The state of a trainer whose densities are `FlowChannelDensity<Float>`.
    public init(trainer: Trainer) throws {
        var params = [Int: [Float]]()
        var config: FlowConfig? = nil
        var dimension = 0
        for (c, d) in trainer.densities {
            guard let f = d as? FlowChannelDensity<Float> else { throw ToyIntegrandError("checkpoint: channel \(c) is not a Float flow") }
            params[c] = f.flow.parameters
            config = f.flow.config
            dimension = f.flow.dimension
        }
        guard let config else { throw ToyIntegrandError("checkpoint: the trainer owns no channels") }
        let net = (trainer.channelWeights as? ChannelWeightNetwork)?.parameters ?? []
        self.init(dimension: dimension, channelCount: trainer.plan.channelCount, flow: config, active: trainer.active,
                  flowParameters: params, channelWeightParameters: net)
    }

    public func write(to path: String) throws {
        var bytes = Self.magic
        func int(_ x: Int) { withUnsafeBytes(of: Int64(x).littleEndian) { bytes.append(contentsOf: $0) } }
        func floats(_ xs: [Float]) { for x in xs { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } } }
        for x in [dimension, channelCount, flow.bins, flow.couplingBlocks ?? -1, flow.hiddenLayers, flow.hiddenUnits] { int(x) }
        bytes.append(contentsOf: active.map { $0 ? 1 : 0 })
        int(flowParameters.count)
        for c in flowParameters.keys.sorted() { int(c); int(flowParameters[c]!.count); floats(flowParameters[c]!) }
        int(channelWeightParameters.count); floats(channelWeightParameters)
        guard let f = fopen(path, "wb") else { throw ToyIntegrandError("checkpoint: cannot write '\(path)'") }
        defer { fclose(f) }
        guard fwrite(bytes, 1, bytes.count, f) == bytes.count else { throw ToyIntegrandError("checkpoint: short write to '\(path)'") }
    }

    public static func read(from path: String) throws -> SamplerCheckpoint {
        guard let f = fopen(path, "rb") else { throw ToyIntegrandError("checkpoint: cannot open '\(path)'") }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            bytes.append(contentsOf: chunk[0..<n])
            if n < chunk.count { break }
        }
        fclose(f)
        var at = 0
        func need(_ n: Int) throws {
            guard n >= 0, at + n <= bytes.count else { throw ToyIntegrandError("checkpoint '\(path)': truncated at byte \(at)") }
        }
        func int() throws -> Int {
            try need(8)
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
            at += 8
            return Int(Int64(bitPattern: v))
        }
        func floats(_ n: Int) throws -> [Float] {
            try need(n * 4)
            var out = [Float](repeating: 0, count: n)
            for i in 0..<n {
                var v: UInt32 = 0
                for k in 0..<4 { v |= UInt32(bytes[at + 4 * i + k]) << (8 * UInt32(k)) }
                out[i] = Float(bitPattern: v)
            }
            at += n * 4
            return out
        }
        try need(8)
        guard Array(bytes[0..<8]) == magic else { throw ToyIntegrandError("checkpoint '\(path)': not a NIS checkpoint (bad magic)") }
        at = 8
        let dimension = try int(), channels = try int(), bins = try int(), blocks = try int(), layers = try int(), units = try int()
        guard dimension >= 1, channels >= 1 else { throw ToyIntegrandError("checkpoint '\(path)': bad dimension \(dimension) or channel count \(channels)") }
        try need(channels)
        let active = bytes[at..<(at + channels)].map { $0 != 0 }
        at += channels
        let flowCount = try int()
        guard (0...channels).contains(flowCount) else { throw ToyIntegrandError("checkpoint '\(path)': \(flowCount) flows for \(channels) channels") }
        var params = [Int: [Float]]()
        for _ in 0..<flowCount {
            let c = try int(), n = try int()
            guard (0..<channels).contains(c) else { throw ToyIntegrandError("checkpoint '\(path)': flow for channel \(c) out of range") }
            params[c] = try floats(n)
        }
        let netCount = try int()
        let net = try floats(netCount)
        guard at == bytes.count else { throw ToyIntegrandError("checkpoint '\(path)': \(bytes.count - at) trailing bytes") }
        let config = FlowConfig(bins: bins, couplingBlocks: blocks < 0 ? nil : blocks, hiddenLayers: layers, hiddenUnits: units)
        try config.validate(dimension: dimension)
        return SamplerCheckpoint(dimension: dimension, channelCount: channels, flow: config, active: active,
                                 flowParameters: params, channelWeightParameters: net)
    }

    /// Load the flow parameters into a trainer built with the same flow settings (shapes are checked).
    public func restore(into trainer: Trainer) throws {
        guard trainer.plan.channelCount == channelCount else {
            throw ToyIntegrandError("checkpoint: \(channelCount) channels, trainer \(trainer.plan.channelCount)")
        }
        for (c, p) in flowParameters {
            guard let d = trainer.densities[c] else { continue }
            guard let f = d as? FlowChannelDensity<Float>, f.flow.parameters.count == p.count, f.flow.dimension == dimension else {
                throw ToyIntegrandError("checkpoint: channel \(c)'s flow does not match the stored shape")
            }
            f.flow.parameters = p
        }
        if let net = trainer.channelWeights as? ChannelWeightNetwork, !channelWeightParameters.isEmpty {
            guard net.parameters.count == channelWeightParameters.count else {
                throw ToyIntegrandError("checkpoint: channel-weight net has \(net.parameters.count) parameters, file \(channelWeightParameters.count)")
            }
            net.network.parameters = channelWeightParameters
        }
        trainer.active = active
    }
}
