// The VEGAS importance-sampling map (Lepage, J. Comput. Phys. 27 (1978) 192; VEGAS+ in Lepage,
// arXiv:2009.05112 §2): per dimension a piecewise-linear map u ∈ [0,1] → x ∈ [0,1] with N bins of equal
// probability; the bin edges adapt so that each bin carries an equal share of the (damped, smoothed) f².
import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct VegasGrid: Sendable, Equatable {
    public let dimension: Int
    public let bins: Int
    /// Flat edges, dimension-major: edge k of dimension j at j·(bins+1) + k; edges[j][0] = 0, edges[j][bins] = 1.
    private var flatEdges: [Double]
    /// Σ (f·J)² and the number of points per (dimension, bin) since the last `adapt`.
    private var sumSquares: [Double]
    private var counts: [Double]

    /// A uniform grid (the identity map).
    public init(dimension: Int, bins: Int = 64) {
        precondition(dimension >= 1 && bins >= 1, "VegasGrid: dimension and bins must be ≥ 1")
        self.dimension = dimension
        self.bins = bins
        flatEdges = []
        flatEdges.reserveCapacity(dimension * (bins + 1))
        for _ in 0..<dimension { for k in 0...bins { flatEdges.append(Double(k) / Double(bins)) } }
        sumSquares = [Double](repeating: 0, count: dimension * bins)
        counts = sumSquares
    }

    /// A grid with given edges per dimension (each strictly increasing from 0 to 1, all with the same count).
    public init(edges: [[Double]]) throws {
        guard let first = edges.first, first.count >= 2 else { throw FlowError.invalidConfiguration("VegasGrid needs ≥ 1 dimension and ≥ 2 edges") }
        let b = first.count - 1
        self.init(dimension: edges.count, bins: b)
        for (j, e) in edges.enumerated() {
            guard e.count == b + 1 else { throw FlowError.shapeMismatch(what: "VegasGrid edges of dimension \(j)", expected: b + 1, got: e.count) }
            guard e.first == 0, e.last == 1, zip(e, e.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw FlowError.invalidConfiguration("VegasGrid edges of dimension \(j) must increase strictly from 0 to 1")
            }
            for k in 0...b { flatEdges[j * (b + 1) + k] = e[k] }
        }
    }

    /// Bin edges per dimension.
    public var edges: [[Double]] {
        (0..<dimension).map { j in Array(flatEdges[(j * (bins + 1))..<((j + 1) * (bins + 1))]) }
    }

    /// x(u) and the Jacobian |∂x/∂u| for a batch of points u (rows, n × dimension).
    public func map(_ u: MatrixD) -> (x: MatrixD, jacobian: [Double]) {
        var x = MatrixD(rows: u.rows, cols: u.cols)
        var jac = [Double](repeating: 1, count: u.rows)
        map(u, into: &x, jacobian: &jac)
        return (x, jac)
    }

    /// In-place variant of `map` (x and jacobian are resized as needed).
    public func map(_ u: MatrixD, into x: inout MatrixD, jacobian: inout [Double]) {
        precondition(u.cols == dimension, "VegasGrid.map: points have \(u.cols) columns, expected \(dimension)")
        let n = u.rows, d = dimension, nb = bins, stride = bins &+ 1
        if x.rows != n || x.cols != d { x.resize(rows: n, cols: d) }
        if jacobian.count != n { jacobian = [Double](repeating: 1, count: n) }
        let fb = Double(nb)
        flatEdges.withUnsafeBufferPointer { e in
            u.storage.withUnsafeBufferPointer { up in
                x.storage.withUnsafeMutableBufferPointer { xp in
                    jacobian.withUnsafeMutableBufferPointer { jp in
                        for i in 0..<n {
                            var jac = 1.0
                            for j in 0..<d {
                                let v = up[i &* d &+ j] * fb
                                let k = min(max(Int(v), 0), nb &- 1)
                                let lo = e[j &* stride &+ k], width = e[j &* stride &+ k &+ 1] - lo
                                xp[i &* d &+ j] = lo + (v - Double(k)) * width
                                jac *= fb * width
                            }
                            jp[i] = jac
                        }
                    }
                }
            }
        }
    }

    /// Inverse map u(x) (for points produced elsewhere), with the Jacobian |∂x/∂u| at that point.
    public func inverseMap(_ x: MatrixD) -> (u: MatrixD, jacobian: [Double]) {
        precondition(x.cols == dimension, "VegasGrid.inverseMap: points have \(x.cols) columns, expected \(dimension)")
        let n = x.rows, d = dimension, nb = bins, stride = bins &+ 1, fb = Double(bins)
        var u = MatrixD(rows: n, cols: d)
        var jac = [Double](repeating: 1, count: n)
        flatEdges.withUnsafeBufferPointer { e in
            x.storage.withUnsafeBufferPointer { xp in
                u.storage.withUnsafeMutableBufferPointer { up in
                    jac.withUnsafeMutableBufferPointer { jp in
                        for i in 0..<n {
                            var j = 1.0
                            for c in 0..<d {
                                let v = xp[i &* d &+ c]
                                let row = c &* stride
                                // Binary search for the bin holding v.
                                var lo = 0, hi = nb
                                while hi &- lo > 1 {
                                    let mid = (lo &+ hi) >> 1
                                    if e[row &+ mid] <= v { lo = mid } else { hi = mid }
                                }
                                let e0 = e[row &+ lo], w = e[row &+ lo &+ 1] - e0
                                up[i &* d &+ c] = (Double(lo) + (v - e0) / w) / fb
                                j *= fb * w
                            }
                            jp[i] = j
                        }
                    }
                }
            }
        }
        return (u, jac)
    }

    /// Record the squared weights (f·J)² of a batch of points u for the next `adapt`.
    public mutating func accumulate(_ u: MatrixD, weightsSquared w2: [Double]) {
        precondition(u.cols == dimension && w2.count == u.rows,
                     "VegasGrid.accumulate: \(u.rows)x\(u.cols) points with \(w2.count) weights, expected \(dimension) columns")
        let n = u.rows, d = dimension, nb = bins
        let fb = Double(nb)
        u.storage.withUnsafeBufferPointer { up in
            sumSquares.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let w = w2[i]
                        for j in 0..<d {
                            let k = min(max(Int(up[i &* d &+ j] * fb), 0), nb &- 1)
                            s[j &* nb &+ k] += w
                            c[j &* nb &+ k] += 1
                        }
                    }
                }
            }
        }
    }

    /// The statistics gathered since the last `adapt` (Σ(f·J)² then counts, per dimension and bin): additive,
    /// so ranks sharing a channel sum them before adapting and end with identical grids.
    public var accumulated: [Double] {
        get { sumSquares + counts }
        set {
            precondition(newValue.count == 2 * sumSquares.count, "VegasGrid.accumulated: wrong length")
            sumSquares = Array(newValue[0..<sumSquares.count])
            counts = Array(newValue[sumSquares.count...])
        }
    }

    /// The damping exponent α used unless a caller sets one. 0.5 (the default of Lepage's `vegas` package)
    /// rather than the 1978 paper's 1.5: with ~10³ points per channel in 13 dimensions (W + 3 jets) α = 1.5
    /// lets a single large weight pull every dimension's bins towards it, and the product of 13 squeezed
    /// maps starves the rest of the channel (σ fell from 403 ± 10 pb on uniform grids to 302 ± 21 pb with
    /// rel. std. 26); α = 0.5 gave 411 ± 5 pb with rel. std. 4.4 (bench/RESULTS-headline.md).
    public static let defaultDamping = 0.5

    /// Move the edges so every bin gets an equal share of the smoothed, damped average (f·J)² per bin
    /// (VEGAS+ arXiv:2009.05112 eqs. 17–20: d_i = Σ_{bin i}(Jf)²/n_i, 1-6-1 smoothing, normalisation,
    /// damping d_i → ((1 − d_i)/ln(1/d_i))^α). Clears the accumulated statistics.
    public mutating func adapt(damping alpha: Double = VegasGrid.defaultDamping) {
        let nb = bins, stride = bins + 1
        var d = [Double](repeating: 0, count: nb)
        var newEdges = [Double](repeating: 0, count: stride)
        for j in 0..<dimension {
            var sampled = 0, sampledSum = 0.0
            for i in 0..<nb {
                let c = counts[j * nb + i]
                d[i] = c > 0 ? sumSquares[j * nb + i] / c : 0
                if c > 0 { sampled += 1; sampledSum += d[i] }
            }
            guard nb > 1, d.contains(where: { $0 > 0 }) else { continue }
            // A bin no point landed in carries no information, not evidence that f vanishes there: giving it
            // d = 0 would widen it further each iteration until the region is never sampled again (a
            // runaway that loses cross section in high dimensions). It gets the mean of the sampled bins.
            if sampled < nb { let mean = sampledSum / Double(sampled); for i in 0..<nb where counts[j * nb + i] == 0 { d[i] = mean } }
            let raw = d
            d[0] = (7 * raw[0] + raw[1]) / 8
            d[nb - 1] = (raw[nb - 2] + 7 * raw[nb - 1]) / 8
            if nb > 2 { for i in 1..<(nb - 1) { d[i] = (raw[i - 1] + 6 * raw[i] + raw[i + 1]) / 8 } }
            let total = d.reduce(0, +)
            guard total > 0, total.isFinite else { continue }
            for i in 0..<nb {
                let r = d[i] / total
                d[i] = r <= 0 ? 0 : (r >= 1 ? 1 : pow((1 - r) / log(1 / r), alpha))
            }
            let sum = d.reduce(0, +)
            guard sum > 0 else { continue }
            let step = sum / Double(nb)
            newEdges[0] = 0
            newEdges[nb] = 1
            var acc = 0.0, k = 0
            let base = j * stride
            for m in 1..<nb {
                let target = Double(m) * step
                while k < nb - 1 && acc + d[k] < target { acc += d[k]; k += 1 }
                let frac = d[k] > 0 ? min(max((target - acc) / d[k], 0), 1) : 0
                newEdges[m] = flatEdges[base + k] + frac * (flatEdges[base + k + 1] - flatEdges[base + k])
            }
            // Keep the edges strictly increasing (a bin of zero width would make the map singular).
            for m in 1...nb where newEdges[m] <= newEdges[m - 1] { newEdges[m] = newEdges[m - 1].nextUp }
            newEdges[nb] = 1
            for m in 0...nb { flatEdges[base + m] = newEdges[m] }
        }
        for i in sumSquares.indices { sumSquares[i] = 0; counts[i] = 0 }
    }

    /// The same map sampled on fewer bins: the new edges are x(u = k/M) of this map, so the coarse map
    /// agrees with this one at its knots (exactly the fine map when M divides the bin count).
    public func reduced(toBins m: Int) -> VegasGrid {
        precondition(m >= 1, "VegasGrid.reduced: bins must be ≥ 1")
        var g = VegasGrid(dimension: dimension, bins: m)
        let stride = bins + 1
        for j in 0..<dimension {
            for k in 0...m {
                let v = Double(k) * Double(bins) / Double(m)
                let b = min(Int(v), bins - 1)
                let lo = flatEdges[j * stride + b], hi = flatEdges[j * stride + b + 1]
                g.flatEdges[j * (m + 1) + k] = k == m ? 1 : (k == 0 ? 0 : lo + (v - Double(b)) * (hi - lo))
            }
        }
        return g
    }
}
