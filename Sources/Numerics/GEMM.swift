// General matrix multiply through OpenBLAS (row-major CBLAS).
import CSystemOpenBLAS

extension Float: GEMMScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    @inlinable public var doubleValue: Double { Double(self) }
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double {
        var s = 0.0
        for v in x { let d = Double(v); s += d * d }
        return s
    }
    public static func scale(_ x: UnsafeMutableBufferPointer<Float>, by f: Double) {
        let g = Float(f)
        for i in x.indices { x[i] *= g }
    }
    public static func doubles(_ x: [Float]) -> [Double] { x.map { Double($0) } }
    public static func values(_ x: [Double]) -> [Float] { x.map { Float($0) } }
}

extension Double: GEMMScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    @inlinable public var doubleValue: Double { self }
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for v in x { s += v * v }
        return s
    }
    public static func scale(_ x: UnsafeMutableBufferPointer<Double>, by f: Double) {
        for i in x.indices { x[i] *= f }
    }
    public static func doubles(_ x: [Double]) -> [Double] { x }
    public static func values(_ x: [Double]) -> [Double] { x }
}

/// C = alpha · op(A) · op(B) + beta · C, shapes checked. op(X) is X or Xᵀ.
public func gemm<T: GEMMScalar>(_ a: Matrix<T>, transposeA: Bool = false,
                                _ b: Matrix<T>, transposeB: Bool = false,
                                into c: inout Matrix<T>, alpha: T = 1, beta: T = 0) {
    let m = transposeA ? a.cols : a.rows
    let k = transposeA ? a.rows : a.cols
    let kb = transposeB ? b.cols : b.rows
    let n = transposeB ? b.rows : b.cols
    precondition(k == kb, "gemm: inner dimensions differ (\(k) vs \(kb))")
    if beta == 0 && (c.rows != m || c.cols != n) { c.resize(rows: m, cols: n) }
    precondition(c.rows == m && c.cols == n, "gemm: output is \(c.rows)x\(c.cols), expected \(m)x\(n)")
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in c.storage.indices { c.storage[i] *= beta }
        return
    }
    a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
            c.storage.withUnsafeMutableBufferPointer { pc in
                T.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                       a: pa.baseAddress!, lda: max(a.cols, 1), b: pb.baseAddress!, ldb: max(b.cols, 1),
                       beta: beta, c: pc.baseAddress!, ldc: max(n, 1))
            }
        }
    }
}

/// op(A) · op(B) as a new matrix.
public func matmul<T: GEMMScalar>(_ a: Matrix<T>, transposeA: Bool = false,
                                  _ b: Matrix<T>, transposeB: Bool = false) -> Matrix<T> {
    var c = Matrix<T>(rows: 0, cols: 0)
    gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
    return c
}

/// Pin OpenBLAS to n threads (benchmarks and MPI ranks want 1 thread per rank).
public func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
