import XCTest
import Numerics
@testable import Flows

/// The dimension-scaled flow (`FlowConfig.scaled`, the defaults of `nisgen integrate` and the Gaussian-mixture
/// benchmark) follows the documented rule: 2⌈log₂ d⌉ blocks (≥ 2), 2 hidden layers of 8(⌈log₂ d⌉+1) units, 16 bins.
final class FlowConfigDimensionTests: XCTestCase {
    func testSizesFollowTheDimension() {
        let expected: [(d: Int, blocks: Int, units: Int)] = [(1, 1, 8), (2, 2, 16), (3, 4, 24), (4, 4, 24), (5, 6, 32),
                                                           (8, 6, 32), (9, 8, 40), (16, 8, 40)]
        for e in expected {
            let c = FlowConfig.scaled(dimension: e.d)
            XCTAssertEqual(c.couplingBlocks, e.blocks, "blocks at d = \(e.d)")
            XCTAssertEqual(c.hiddenUnits, e.units, "units at d = \(e.d)")
            XCTAssertEqual(c.hiddenLayers, 2)
            XCTAssertEqual(c.bins, 16)
            XCTAssertNil(c.problem(dimension: e.d))
        }
    }

    func testScaledFlowConditionsEveryDimensionOnEveryOther() {
        for d in [2, 4, 8] {
            let flow = CouplingFlow<Float>(dimension: d, config: .scaled(dimension: d), seed: 1)
            XCTAssertEqual(flow.blockCount, FlowConfig.scaled(dimension: d).couplingBlocks)
            // For every ordered pair (i, j), some block transforms i while j conditions it.
            for i in 0..<d {
                for j in 0..<d where j != i {
                    let seen = (0..<flow.blockCount).contains { b in
                        let t = flow.transformedDimensions(block: b)
                        return t.contains(i) && !t.contains(j)
                    }
                    XCTAssertTrue(seen, "d = \(d): dimension \(i) never conditioned on \(j)")
                }
            }
        }
    }

    func testParameterCountGrowsWithTheDimension() {
        // (d/2 conditioning inputs → U → U → (d/2)(3·16+1) outputs) per block, U = 8(⌈log₂ d⌉+1).
        func expected(_ d: Int) -> Int {
            let c = FlowConfig.scaled(dimension: d), u = c.hiddenUnits, half = d / 2
            let out = (d - half) * (3 * c.bins + 1)
            return c.couplingBlocks! * ((half * u + u) + (u * u + u) + (u * out + out))
        }
        for d in [2, 4, 8] {
            XCTAssertEqual(CouplingFlow<Float>(dimension: d, config: .scaled(dimension: d), seed: 1).parameterCount, expected(d))
        }
        XCTAssertEqual(expected(2), 2 * (1 * 16 + 16 + 16 * 16 + 16 + 16 * 49 + 49))  // 2,274
    }
}
