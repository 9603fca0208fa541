import XCTest
import Numerics

final class GEMMTests: XCTestCase {
    /// Textbook triple loop: the independent reference.
    func naive<T: GEMMScalar>(_ a: Matrix<T>, _ ta: Bool, _ b: Matrix<T>, _ tb: Bool, alpha: T, beta: T, c0: Matrix<T>) -> Matrix<T> {
        let m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols
        var c = c0
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<k {
                    let av = ta ? a[l, i] : a[i, l]
                    let bv = tb ? b[j, l] : b[l, j]
                    s += av.doubleValue * bv.doubleValue
                }
                c[i, j] = alpha * T(s) + beta * c0[i, j]
            }
        }
        return c
    }

    func random<T: GEMMScalar>(_ r: Int, _ c: Int, _ rng: inout RandomStream) -> Matrix<T> {
        Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in T(rng.uniform() * 2 - 1) })
    }

    func check<T: GEMMScalar>(_ type: T.Type, tolerance: Double) {
        var rng = RandomStream(seed: 7, stream: 1)
        let shapes = [(1, 1, 1), (3, 5, 7), (17, 4, 9), (64, 33, 128), (5, 1, 12)]
        for (m, k, n) in shapes {
            for ta in [false, true] {
                for tb in [false, true] {
                    let a: Matrix<T> = ta ? random(k, m, &rng) : random(m, k, &rng)
                    let b: Matrix<T> = tb ? random(n, k, &rng) : random(k, n, &rng)
                    let c0: Matrix<T> = random(m, n, &rng)
                    for (alpha, beta) in [(T(1), T(0)), (T(0.5), T(-2))] {
                        var c = c0
                        gemm(a, transposeA: ta, b, transposeB: tb, into: &c, alpha: alpha, beta: beta)
                        let ref = naive(a, ta, b, tb, alpha: alpha, beta: beta, c0: c0)
                        XCTAssertEqual(c.rows, m); XCTAssertEqual(c.cols, n)
                        for i in 0..<c.count {
                            XCTAssertEqual(c.storage[i].doubleValue, ref.storage[i].doubleValue,
                                           accuracy: tolerance * Double(k), "\(T.self) m\(m) k\(k) n\(n) tA \(ta) tB \(tb)")
                        }
                    }
                }
            }
        }
    }

    func testDoubleGEMMMatchesNaive() { check(Double.self, tolerance: 1e-13) }
    func testFloatGEMMMatchesNaive() { check(Float.self, tolerance: 1e-5) }

    func testMatmulAllocatesResultShape() {
        let a = MatrixD(rows: 2, cols: 3, storage: [1, 2, 3, 4, 5, 6])
        let b = MatrixD(rows: 3, cols: 2, storage: [7, 8, 9, 10, 11, 12])
        let c = matmul(a, b)
        XCTAssertEqual(c, MatrixD(rows: 2, cols: 2, storage: [58, 64, 139, 154]))
        XCTAssertEqual(matmul(a, transposeA: true, a), matmul(a.transposed(), a))
    }
}
