// exp in plain arithmetic: libm's exp is an opaque call per element and dominated the spline cost (each
// spline evaluation needs a softmax over its bins). Without table lookups or integer conversions, loops
// over it vectorise even for the baseline x86-64 target (SSE2).

/// e^x to ~1 ulp for x in [−708, 709] (clamped outside). x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split
/// of ln2 into a high part with trailing zero bits, so n·ln2_hi is exact, and a low part); e^r by its Taylor
/// series to r¹² (remainder < 2e-16, summed by Estrin's scheme); 2^n assembled from the bits of the rounding shifter.
@inline(__always)
func fastExp(_ x: Double) -> Double {
    let xc = min(max(x, -708.0), 709.0)
    let shifter = 6755399441055744.0  // 1.5·2^52: adding it rounds to the nearest integer
    let t = xc * 1.4426950408889634 + shifter
    let n = t - shifter
    let r = (xc - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10
    // Estrin's scheme: the 13 terms in pairs, pairs of pairs, … — a dependency chain of depth 4 instead of
    // Horner's 12, so the loops over softmax bins keep the vector units busy (the chain, not the arithmetic,
    // bounded the spline's cost).
    let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
    let q0 = 1.0 + r, q1 = 0.5 + r * (1.0 / 6.0), q2 = 1.0 / 24.0 + r * (1.0 / 120.0)
    let q3 = 1.0 / 720.0 + r * (1.0 / 5040.0), q4 = 1.0 / 40320.0 + r * (1.0 / 362880.0)
    let q5 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0), q6 = 1.0 / 479001600.0
    let s0 = q0 + q1 * r2, s1 = q2 + q3 * r2, s2 = q4 + q5 * r2
    let p = (s0 + s1 * r4) + (s2 + q6 * r4) * r8
    // The low mantissa bits of t hold 2^51 + n; adding the exponent bias and shifting by 52 keeps
    // (n + 1023) mod 2^12, the biased exponent of 2^n.
    let scale = Double(bitPattern: (t.bitPattern &+ 1023) &<< 52)
    return p * scale
}
