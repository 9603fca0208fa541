// The Gaussian mixture's channels are products of invertible 1-D Cauchy maps, so a point of channel c is
// expressed in channel j by mapping y → x with channel c's maps and back with channel j's inverses.
import Numerics

extension GaussianMixture: ChannelCoordinateMapping {
    public func coordinatesInEveryChannel(channel: Int, points: MatrixD) -> [ChannelCoordinates] {
        precondition(channel >= 0 && channel < channelCount && points.cols == dimension)
        let n = points.rows, dim = dimension
        var x = [Double](repeating: 0, count: n * dim)
        for i in 0..<(n * dim) { x[i] = maps[channel][i % dim].map(points.storage[i]).x }
        return (0..<channelCount).map { j in
            if j == channel {
                var density = [Double](repeating: 1, count: n)
                for i in 0..<(n * dim) { density[i / dim] *= maps[j][i % dim].density(x[i]) }
                return ChannelCoordinates(points: points, mappingDensity: density)
            }
            var y = MatrixD(rows: n, cols: dim)
            var density = [Double](repeating: 1, count: n)
            for i in 0..<(n * dim) {
                let m = maps[j][i % dim]
                y.storage[i] = min(max(m.inverse(x[i]), 0), 1)
                density[i / dim] *= m.density(x[i])
            }
            return ChannelCoordinates(points: y, mappingDensity: density)
        }
    }
}
