import XCTest
import Numerics

final class RandomStreamTests: XCTestCase {
    func testPhiloxKnownAnswer() {
        // Known-answer vectors of Philox4x32-10 published with Random123 (Salmon et al., SC'11):
        // counter 0, key 0 → 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
        var s = RandomStream(seed: 0, stream: 0)
        XCTAssertEqual([s.nextUInt32(), s.nextUInt32(), s.nextUInt32(), s.nextUInt32()],
                       [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
    }

    func testSameKeySameNumbers() {
        var a = RandomStream(seed: 42, stream: 3), b = RandomStream(seed: 42, stream: 3)
        for _ in 0..<10_000 { XCTAssertEqual(a.next(), b.next()) }
        var c = RandomStream(seed: 42, stream: 4)
        var d = RandomStream(seed: 43, stream: 3)
        var a2 = RandomStream(seed: 42, stream: 3)
        let x = (0..<8).map { _ in a2.next() }
        XCTAssertNotEqual(x, (0..<8).map { _ in c.next() })
        XCTAssertNotEqual(x, (0..<8).map { _ in d.next() })
    }

    func testUniformityChiSquare() {
        // 100 bins, 200,000 draws per stream: the chi-square p-value must not be extreme.
        for stream in [UInt64(0), 1, 99, 1 << 40] {
            var rng = RandomStream(seed: 2026, stream: stream)
            let bins = 100, n = 200_000
            var counts = [Int](repeating: 0, count: bins)
            for _ in 0..<n {
                let u = rng.uniform()
                XCTAssert(u > 0 && u < 1)
                counts[Int(u * Double(bins))] += 1
            }
            let expected = Double(n) / Double(bins)
            let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
            let p = chiSquarePValue(chi2, dof: bins - 1)
            XCTAssert(p > 1e-4 && p < 1 - 1e-4, "stream \(stream): chi2 = \(chi2), p = \(p)")
        }
    }

    func testChiSquarePValueClosedForm() {
        // dof = 2: Q(1, x/2) = exp(-x/2).
        XCTAssertEqual(chiSquarePValue(3.0, dof: 2), exp(-1.5), accuracy: 1e-12)
        XCTAssertEqual(chiSquarePValue(10.0, dof: 2), exp(-5.0), accuracy: 1e-12)
    }

    func testStreamsUncorrelated() {
        // Pearson correlation of neighbouring streams and of substreams: |r| < 5/√n.
        let n = 100_000
        let pairs: [(RandomStream, RandomStream)] = [
            (RandomStream(seed: 1, stream: 0), RandomStream(seed: 1, stream: 1)),
            (RandomStream(seed: 1, stream: 0), RandomStream(seed: 2, stream: 0)),
            (RandomStream(seed: 5, stream: 7).substream(0), RandomStream(seed: 5, stream: 7).substream(1)),
        ]
        for (var a, var b) in pairs {
            var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
            for _ in 0..<n {
                let x = a.uniform(), y = b.uniform()
                sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y
            }
            let N = Double(n)
            let cov = sab / N - sa / N * sb / N
            let r = cov / ((saa / N - sa * sa / N / N) * (sbb / N - sb * sb / N / N)).squareRoot()
            XCTAssertLessThan(abs(r), 5 / N.squareRoot(), "correlation \(r)")
            XCTAssertEqual(sa / N, 0.5, accuracy: 5 * (1.0 / 12 / N).squareRoot())
        }
    }

    func testNormalMoments() {
        var rng = RandomStream(seed: 11)
        let n = 100_000
        var s = 0.0, s2 = 0.0
        for _ in 0..<n { let z = rng.normal(); s += z; s2 += z * z }
        XCTAssertEqual(s / Double(n), 0, accuracy: 5 / Double(n).squareRoot())
        XCTAssertEqual(s2 / Double(n), 1, accuracy: 5 * (2 / Double(n)).squareRoot())
    }
}
