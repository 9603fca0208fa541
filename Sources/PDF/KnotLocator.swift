/// Finds the knot cell of a value in O(1): a bucket table over the log axis gives a starting knot at or
/// just below the answer, then a short forward scan on the raw knots settles it exactly. Replaces a
/// binary search whose unpredictable branches dominated the cost of one PDF evaluation.
struct KnotLocator: Sendable {
    let knots: [Double]
    private let lowerLog: Double
    private let bucketsPerLog: Double
    private let start: [Int32]

    /// `logKnots[i]` = log of `knots[i]` (any fixed monotone map works; it must match the `logValue`
    /// passed to `cell`). At least two strictly increasing knots.
    init(knots: [Double], logKnots: [Double]) {
        self.knots = knots
        let n = knots.count
        let buckets = min(4096, max(64, 16 * n))
        lowerLog = logKnots[0]
        let span = logKnots[n - 1] - logKnots[0]
        bucketsPerLog = Double(buckets) / span
        var table = [Int32](repeating: 0, count: buckets)
        var i = 0
        for b in 0..<buckets {
            let edge = logKnots[0] + Double(b) / Double(buckets) * span
            while i + 1 < n && logKnots[i + 1] <= edge { i += 1 }
            // One knot of margin against rounding between log(value) and the bucket edge.
            table[b] = Int32(max(0, min(i - 1, n - 2)))
        }
        start = table
    }

    /// Index i with knots[i] ≤ value < knots[i+1], or n−2 for value equal to the last knot.
    /// `value` must lie within the knots; `logValue` is its log.
    @inline(__always)
    func cell(_ value: Double, logValue: Double) -> Int {
        var b = Int((logValue - lowerLog) * bucketsPerLog)
        if b < 0 { b = 0 } else if b >= start.count { b = start.count &- 1 }
        var i = Int(start[b])
        let last = knots.count &- 2
        while i < last && knots[i &+ 1] <= value { i &+= 1 }
        return i
    }
}
