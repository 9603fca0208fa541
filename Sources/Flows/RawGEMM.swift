// GEMM on raw row-major buffers: the networks keep all parameters in one flat array and address
// layers by offset, so they call BLAS on pointers instead of on `Matrix` values.
import Numerics

/// C(m×n) = alpha·op(A)·op(B) + beta·C. op(A) is m×k, op(B) is k×n; leading dimensions are row strides.
@inline(__always)
func rawGEMM<T: GEMMScalar>(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: T = 1,
                            a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                            beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        // Nothing to add; BLAS would only scale C.
        if beta != 1 { for i in 0..<m { for j in 0..<n { c[i &* ldc &+ j] *= beta } } }
        return
    }
    T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: max(lda, 1),
           b: b, ldb: max(ldb, 1), beta: beta, c: c, ldc: max(ldc, 1))
}
