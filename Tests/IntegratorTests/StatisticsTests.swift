import XCTest
import Numerics
import Cluster
@testable import Integrator

/// Per-channel statistics, iteration combination, stratified allocation and channel dropping.
final class StatisticsTests: XCTestCase {
    func testChannelStatisticsByHand() {
        var s = ChannelStatistics(channelCount: 2)
        s.add(channel: 0, weights: [1, 2, 3, 4])
        s.add(channel: 1, weights: [10, 10])
        XCTAssertEqual(s.mean(0), 2.5)
        XCTAssertEqual(s.variance(0), 5.0 / 3.0, accuracy: 1e-14)   // unbiased sample variance of 1…4
        XCTAssertEqual(s.variance(1), 0)
        XCTAssertEqual(s.integral, 12.5)
        XCTAssertEqual(s.error, (5.0 / 3.0 / 4).squareRoot(), accuracy: 1e-14)
        // Merging two halves equals adding everything at once.
        var a = ChannelStatistics(channelCount: 2), b = a
        a.add(channel: 0, weights: [1, 2]); b.add(channel: 0, weights: [3, 4]); b.add(channel: 1, weights: [10, 10])
        a.merge(b)
        XCTAssertEqual(a, s)
        XCTAssertEqual(s.reduced(over: SerialCommunicator()), s)
        XCTAssertEqual(s.optimalRelativeStandardDeviation, (5.0 / 3.0).squareRoot() / 12.5, accuracy: 1e-14)
    }

    /// Stratified error formula against the spread of many independent repetitions.
    func testErrorEstimateMatchesRepetitionSpread() {
        var rng = RandomStream(seed: 4)
        var estimates = [Double](), errors = [Double]()
        for _ in 0..<400 {
            var s = ChannelStatistics(channelCount: 2)
            s.add(channel: 0, weights: (0..<50).map { _ in rng.uniform() })          // mean ½, var 1/12
            s.add(channel: 1, weights: (0..<20).map { _ in 2 * rng.uniform() * rng.uniform() })
            estimates.append(s.integral); errors.append(s.error)
        }
        let m = estimates.reduce(0, +) / 400
        let spread = (estimates.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 399).squareRoot()
        let meanError = errors.reduce(0, +) / 400
        XCTAssertEqual(m, 0.5 + 0.5, accuracy: 4 * spread / 20)
        XCTAssertEqual(meanError, spread, accuracy: 0.1 * spread)
    }

    func testInverseVarianceCombination() {
        var c = IterationCombiner()
        c.add(value: 10, error: 1)
        c.add(value: 12, error: 2)
        // (10/1 + 12/4)/(1 + 1/4) = 13/1.25 = 10.4; error 1/√1.25.
        XCTAssertEqual(c.value, 10.4, accuracy: 1e-12)
        XCTAssertEqual(c.error, 1 / 1.25.squareRoot(), accuracy: 1e-12)
        // χ² = (0.4)² + (1.6/2)² = 0.16 + 0.64 over one degree of freedom.
        XCTAssertEqual(c.chiSquarePerDegreeOfFreedom, 0.8, accuracy: 1e-12)
    }

    func testNeymanAllocationWithUniformMixAndMinimum() {
        let alloc = ChannelAllocation(uniformFraction: 0.2, minimumPerChannel: 10)
        let n = alloc.allocate(total: 1010, standardDeviations: [3, 1, 0, 5], active: [true, true, true, false])
        XCTAssertEqual(n.reduce(0, +), 1010)
        XCTAssertEqual(n[3], 0, "inactive channel gets nothing")
        // 980 free points: 0.8·980·σ/4 + 0.2·980/3 each, plus 10.
        let expected = [0.8 * 980 * 0.75, 0.8 * 980 * 0.25, 0].map { 10 + $0 + 0.2 * 980 / 3 }
        for c in 0..<3 { XCTAssertEqual(Double(n[c]), expected[c], accuracy: 1) }
        // Zero σ everywhere: uniform.
        XCTAssertEqual(alloc.allocate(total: 90, standardDeviations: [0, 0, 0], active: [true, true, true]), [30, 30, 30])
        // Minimum wins over a too small total.
        XCTAssertEqual(alloc.allocate(total: 5, standardDeviations: [1, 1], active: [true, true]), [10, 10])
    }

    func testChannelDroppingDropsSmallestCumulativeShare() {
        let drop = ChannelDropping(threshold: 0.05)
        // Shares: 0.01, 0.03, 0.02, 0.94 → dropping 0.01 and 0.02 (cumulative 0.03); adding 0.03 gives 0.06 > 0.05.
        let active = drop.update(active: [true, true, true, true], channelIntegrals: [0.01, 0.03, -0.02, 0.94])
        XCTAssertEqual(active, [false, true, false, true])
        // Already dropped channels stay dropped and do not count; never fewer than minimumActive.
        XCTAssertEqual(ChannelDropping(threshold: 0.4, minimumActive: 1).update(active: [true, false, true], channelIntegrals: [1, 0, 1]),
                       [true, false, true])
        XCTAssertEqual(ChannelDropping(threshold: 0.9, minimumActive: 1).update(active: [true, true], channelIntegrals: [1, 1]),
                       [false, true])
    }

    func testReplayBufferReusesEachEntryNTimes() {
        var buffer = ReplayBuffer(capacity: 2, reuses: 3)
        func entry(_ c: Int) -> [BufferedBatch] {
            [BufferedBatch(channel: c, points: MatrixD(rows: 1, cols: 1), value: [1], logQSample: [0],
                           features: MatrixD(rows: 1, cols: 1), priorWeights: MatrixD(rows: 0, cols: 0))]
        }
        buffer.store(entry(0)); buffer.store(entry(1)); buffer.store(entry(2))   // capacity 2: entry 0 evicted
        var seen = [Int]()
        while let r = buffer.replay() { seen.append(r[0].channel) }
        XCTAssertEqual(seen.sorted(), [1, 1, 1, 2, 2, 2])
        buffer.store(entry(3)); buffer.store(entry(4))
        buffer.removeChannels { $0 == 3 }
        var rest = [Int]()
        while let r = buffer.replay() { rest.append(contentsOf: r.map(\.channel)) }
        XCTAssertEqual(rest, [4, 4, 4])
    }
}
