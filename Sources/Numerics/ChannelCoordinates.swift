// Every channel's view of a point: the coordinates y_j with which channel j produces the physical point
// that channel c produced from y, and channel j's mapping density there. With these, the density of every
// channel's sampler at every sampled point is g_j(x) = q_j(y_j)·|∂y_j/∂x|, which density-aware channel
// weights need (α_j ∝ a_j(x)·g_j(x) vanishes wherever channel j cannot produce x).

/// Channel j's coordinates of a batch of points and its mapping density |∂y_j/∂x| there.
public struct ChannelCoordinates: Sendable {
    /// n × d coordinates in [0,1]^d (rows where the channel cannot produce the point hold any valid y).
    public var points: MatrixD
    /// |∂y_j/∂x| per point; 0 where channel j cannot produce the point.
    public var mappingDensity: [Double]

    public init(points: MatrixD, mappingDensity: [Double]) {
        precondition(points.rows == mappingDensity.count, "ChannelCoordinates: \(points.rows) points, \(mappingDensity.count) densities")
        self.points = points
        self.mappingDensity = mappingDensity
    }
}

/// An integrand whose channel mappings can be inverted: any point of one channel expressed in every channel.
public protocol ChannelCoordinateMapping: Integrand {
    /// For `points` (n × d) of channel `channel`: one entry per channel j (channelCount entries) with the
    /// coordinates y_j of the same physical points and |∂y_j/∂x|. Entry `channel` holds `points` themselves.
    /// Points outside the physical region (value 0) may report any density.
    func coordinatesInEveryChannel(channel: Int, points: MatrixD) -> [ChannelCoordinates]
}
