// Scratch-buffer helpers for the networks and the flow, pre-specialised for Float and Double (the generic
// classes calling them are not specialised across module boundaries).
import Numerics

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
