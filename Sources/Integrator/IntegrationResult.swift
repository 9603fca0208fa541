// What an integration pass reports: the integral with its error, per-channel shares and unweighting figures.

public struct IntegrationResult: Sendable {
    public var integral: Double
    public var error: Double
    public var channelIntegrals: [Double]
    public var channelErrors: [Double]
    public var channelCounts: [Int64]
    /// δI·√N/I for the allocation used.
    public var relativeStandardDeviation: Double
    /// Unweighting efficiency per channel, combined with the channels' integral shares as weights (the
    /// definition of the `madnis` metrics, arXiv:2001.10028; events of each channel are unweighted separately).
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
}
