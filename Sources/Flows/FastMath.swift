// exp in plain arithmetic plus a 32-entry table: libm's exp is an opaque call per element and dominated the
// spline cost (each spline evaluation needs a softmax over its bins).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 2^(j/32), j = 0..<32.
private let exp2Table: [Double] = (0..<32).map { exp2(Double($0) / 32) }

/// e^x to a few ulp for x in [−708, 709] (clamped outside). Table-driven reduction (Tang, ACM TOMS 15 (1989) 144):
/// x = (32m + j)·ln2/32 + r with |r| ≤ ln2/64, ln2/32 split in a high part with trailing zero bits (exact
/// products) and a low part; e^r by its Taylor series to r⁶ (remainder < 4e-18); 2^m from the exponent bits.
@inline(__always)
func fastExp(_ x: Double) -> Double {
    let xc = min(max(x, -708.0), 709.0)
    let shifter = 6755399441055744.0  // 1.5·2^52: adding it rounds to the nearest integer
    let kd = (xc * 46.166241308446828 + shifter) - shifter  // 32/ln2
    let k = Int64(kd)
    let r = (xc - kd * 2.16608493865351192653e-02) - kd * 5.96317165397058656257e-12
    var p = 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    let m = k >> 5
    let scale = Double(bitPattern: UInt64(bitPattern: m &+ 1023) &<< 52)
    return scale * exp2Table[Int(k & 31)] * p
}
