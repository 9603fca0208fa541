// Elementary functions without Foundation, so hot loops stay free of bridging.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) public func _log(_ x: Double) -> Double { log(x) }
@inline(__always) public func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) public func _cos(_ x: Double) -> Double { cos(x) }

/// log(Σ exp(xᵢ)) without overflow.
public func logSumExp(_ xs: [Double]) -> Double {
    guard let m = xs.max(), m.isFinite else { return xs.max() ?? -.infinity }
    var s = 0.0
    for x in xs { s += exp(x - m) }
    return m + log(s)
}

/// Upper regularized incomplete gamma Q(a, x), for chi-square p-values (Numerical Recipes-style series / continued fraction).
public func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
    precondition(a > 0 && x >= 0)
    if x == 0 { return 1 }
    let gln: Double = lgamma(a)
    if x < a + 1 {
        var ap = a, sum = 1 / a, del = sum
        for _ in 0..<10_000 {
            ap += 1; del *= x / ap; sum += del
            if abs(del) < abs(sum) * 1e-15 { break }
        }
        return 1 - sum * exp(-x + a * log(x) - gln)
    }
    var b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d
    for i in 1...10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b; if abs(d) < 1e-300 { d = 1e-300 }
        c = b + an / c; if abs(c) < 1e-300 { c = 1e-300 }
        d = 1 / d
        let del = d * c
        h *= del
        if abs(del - 1) < 1e-15 { break }
    }
    return exp(-x + a * log(x) - gln) * h
}

/// p-value of a chi-square statistic with `dof` degrees of freedom.
public func chiSquarePValue(_ chi2: Double, dof: Int) -> Double {
    regularizedGammaQ(Double(dof) / 2, chi2 / 2)
}
