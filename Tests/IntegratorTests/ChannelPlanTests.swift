import XCTest
import Numerics
@testable import Integrator

/// Plans balanced by cost: every channel has owners, every rank works, the largest load is close to the fair
/// share, and all ranks compute the same plan.
final class ChannelPlanTests: XCTestCase {
    func loads(_ plan: ChannelPlan, _ costs: [Double]) -> [Double] {
        var load = [Double](repeating: 0, count: plan.rankCount)
        for (c, o) in plan.owners.enumerated() { for r in o { load[r] += costs[c] / Double(o.count) } }
        return load
    }

    func testDominantChannelIsSplitAndLightOnesPacked() {
        // W + 2 jets-like: one channel carries most of the variance.
        let costs = [0.9, 0.1]
        let plan = ChannelPlan.balanced(costs: costs, rank: 0, size: 2)
        XCTAssertEqual(plan.owners[0], [0, 1])
        XCTAssertEqual(plan.owners[1].count, 1)
        XCTAssertEqual(loads(plan, costs).max()!, 0.55, accuracy: 1e-12, "round robin would give 0.9")
        XCTAssertEqual(plan.localCount(0, total: 101) + plan.forRank(1).localCount(0, total: 101), 101)
    }

    func testBalancedPlansCoverEveryChannelAndRank() {
        var rng = RandomStream(seed: 17)
        for _ in 0..<500 {
            let c = 1 + rng.index(below: 22), n = 1 + rng.index(below: 40)
            let costs = (0..<c).map { _ in pow(10, -3 + 4 * rng.uniform()) }
            let plan = ChannelPlan.balanced(costs: costs, rank: 0, size: n)
            XCTAssertTrue(plan.owners.allSatisfy { !$0.isEmpty }, "a channel without owner: \(plan.owners)")
            XCTAssertEqual(Set(plan.owners.flatMap { $0 }), Set(0..<n), "every rank works: \(costs) on \(n) ranks → \(plan.owners)")
            let worst = loads(plan, costs).max()!
            if n >= c {
                // Optimal among plans where each rank serves one channel: the least M with Σ ⌈cost/M⌉ ≤ n.
                var lo = 0.0, hi = costs.max()!
                for _ in 0..<100 {
                    let mid = (lo + hi) / 2
                    if costs.reduce(0, { $0 + Int(($1 / mid).rounded(.up)) }) <= n { hi = mid } else { lo = mid }
                }
                XCTAssertLessThanOrEqual(worst, hi * (1 + 1e-9), "\(costs) on \(n) ranks → \(plan.owners)")
            } else {
                // Within twice the fair share: splitting keeps a dominant channel from idling the other ranks.
                XCTAssertLessThanOrEqual(worst, 2 * costs.reduce(0, +) / Double(n) + 1e-12, "\(costs) on \(n) ranks → \(plan.owners)")
            }
            // The same inputs give the same plan seen from any rank.
            XCTAssertEqual(ChannelPlan.balanced(costs: costs, rank: n - 1, size: n).owners, plan.owners)
        }
    }

    func testEqualCostsDealOneChannelPerRankAndShareWhenRanksOutnumberChannels() {
        XCTAssertEqual(ChannelPlan.balanced(costs: [1, 1, 1, 1], rank: 0, size: 2).owners.map(\.count), [1, 1, 1, 1])
        XCTAssertEqual(ChannelPlan.balanced(costs: [1, 1], rank: 0, size: 2).owners, [[0], [1]])
        XCTAssertEqual(ChannelPlan.balanced(costs: [1, 3], rank: 0, size: 4).owners, [[0], [1, 2, 3]])
        XCTAssertEqual(ChannelPlan.roundRobin(channelCount: 2, rank: 0, size: 5).owners, [[0, 2, 4], [1, 3]])
        XCTAssertEqual(ChannelPlan.roundRobin(channelCount: 5, rank: 0, size: 2).owners, [[0], [1], [0], [1], [0]])
    }
}
