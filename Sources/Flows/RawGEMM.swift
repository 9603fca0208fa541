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

/// Make a scratch buffer hold at least `n` elements. Grow-only, contents not preserved: callers overwrite
/// what they use, and a buffer whose size alternates between calls must not reallocate every time.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func reserveScratch<T: GEMMScalar>(_ a: inout [T], _ n: Int) {
    if a.count < n { a = [T](repeating: 0, count: n) }
}

/// p[0..<count] = 0.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func setZero<T: GEMMScalar>(_ p: UnsafeMutablePointer<T>, count: Int) {
    for i in 0..<count { p[i] = 0 }
}

/// The first `count` elements of a buffer as a new array.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func copyPrefix<T: GEMMScalar>(_ a: [T], count: Int) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buf, initialized in
        a.withUnsafeBufferPointer { src in
            for i in 0..<count { buf[i] = src[i] }
        }
        initialized = count
    }
}

/// Double values converted to T.
@inline(never)
@_specialize(where T == Float)
@_specialize(where T == Double)
func convertFromDouble<T: GEMMScalar>(_ a: [Double], count: Int) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buf, initialized in
        a.withUnsafeBufferPointer { src in
            for i in 0..<count { buf[i] = T(src[i]) }
        }
        initialized = count
    }
}
