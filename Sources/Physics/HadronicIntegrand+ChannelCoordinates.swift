// Every channel's coordinates of a hadronic point: map y with the drawing channel, then invert the momenta
// with each other channel (`PhaseSpaceChannel.inverse(ofMomenta:x1:x2:)`) and take its density there. A
// channel that cannot invert a point, or whose density vanishes there, reports density 0 (it cannot produce it).
import Kinematics
import Numerics
import PhaseSpace

extension HadronicIntegrand: ChannelCoordinateMapping {
    public func coordinatesInEveryChannel(channel: Int, points: MatrixD) -> [ChannelCoordinates] {
        precondition(channel >= 0 && channel < channelCount && points.cols == dimension)
        let n = points.rows, d = dimension, legs = 4 + partons
        var batch = MappedBatch()
        channels[channel].map(points: points, into: &batch)
        var coordinates = (0..<channelCount).map { j in
            j == channel ? ChannelCoordinates(points: points, mappingDensity: batch.weight.map { $0 > 0 && $0.isFinite ? 1 / $0 : 0 })
                         : ChannelCoordinates(points: MatrixD(rows: n, cols: d, repeating: 0.5), mappingDensity: [Double](repeating: 0, count: n))
        }
        var point = [FourVector](repeating: .zero, count: legs)
        for i in 0..<n where coordinates[channel].mappingDensity[i] > 0 {
            for k in 0..<legs { point[k] = batch.momenta[i &* legs &+ k] }
            for j in 0..<channelCount where j != channel {
                guard let y = channels[j].inverse(ofMomenta: point, x1: batch.x1[i], x2: batch.x2[i]),
                      y.count == d, y.allSatisfy(\.isFinite) else { continue }
                let g = channels[j].density(ofMomenta: point, x1: batch.x1[i], x2: batch.x2[i])
                guard g > 0 && g.isFinite else { continue }
                for k in 0..<d { coordinates[j].points[i, k] = min(max(y[k], 0), 1) }
                coordinates[j].mappingDensity[i] = g
            }
        }
        return coordinates
    }
}
