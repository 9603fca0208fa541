// What an integration pass reports: the integral with its error, per-channel shares and unweighting figures.

public struct IntegrationResult: Sendable {
    public var integral: Double
    public var error: Double
    public var channelIntegrals: [Double]
    public var channelErrors: [Double]
    public var channelCounts: [Int64]
    /// δI·√N/I for the allocation used.
    public var relativeStandardDeviation: Double
    /// The fraction of trials the event generator would keep with this pass's channel maxima: each channel's
    /// events are unweighted against their own maximum, ε = 1/Σ_c(s_c/ε_c) with s_c the |integral| shares
    /// (`ChannelCombinedUnweighting`).
    public var unweightingEfficiency: Double
    public var overweightFraction: Double
    public var overweightShare: Double
    /// Integrand evaluations (points) in this pass.
    public var integrandCalls: Int64
    public var seconds: Double
    /// Seconds spent sampling and evaluating each channel, summed over ranks (for cost-balanced plans).
    public var channelSeconds: [Double] = []
    /// This rank's weights per channel, when the pass was asked to keep them.
    public var localWeights: [Int: [Double]] = [:]
    /// Σ_c s_c·ε_c, the share-weighted arithmetic mean of the channels' efficiencies (the headline's figure
    /// before session 11; above `unweightingEfficiency` whenever the channels differ).
    public var shareWeightedEfficiency: Double = 0
}
