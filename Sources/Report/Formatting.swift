// Numbers for people: measurements, efficiencies, durations, counts and rates as the terminal, the logs
// and the plots show them. Pure functions of their arguments (no locale), so tests pin them exactly.
//
// Rules (documented here, tested in FormattingTests):
// - Measurement `v ± δ`: δ is rounded to two significant digits (9.96 → 10, 0.0996 → 0.10) and v to the same
//   decimal place. Plain notation while 1e-3 ≤ max(|v|, δ) < 1e6; outside that range one shared power of ten,
//   `(2.4031 ± 0.0086)e+06`. δ = 0 (exact): v with up to six significant digits and `± 0`. A non-finite δ:
//   v with four significant digits and `± nan` / `± inf`. A negative δ is read as its magnitude (errors are
//   magnitudes; the sign is a caller's slip, not information). A non-finite v prints as `nan`, `inf`, `-inf`.
// - Efficiency (a fraction): ≥ 1 % one decimal (`2.8 %`, `71.5 %`), 0.1–1 % two significant digits
//   (`0.28 %`), below 0.1 % the percentage in scientific form (`2.8e-2 %`); 0 → `0 %`.
// - Duration: `420 µs`, `850 ms`, `3.2 s` (< 10 s), `42 s`, `3 min 05 s`, `1 h 02 min`, `2 d 03 h`; rounded
//   before the unit is chosen, so 59.7 s is `1 min 00 s`. Non-finite → `?` (an ETA nobody can know yet).
// - Count: groups of three digits, `1,234,567` (separator selectable).
// - Rate: two significant digits per second; plain in [0.01, 1000), else `6.3e3/s` (short exponent).
#if canImport(Glibc)
import Glibc
#endif

public enum Format {
    // MARK: measurements

    /// `1049.6 ± 4.3 pb`; see the rules above.
    public static func measurement(_ value: Double, error: Double, unit: String? = nil) -> String {
        let suffix = unit.map { $0.isEmpty ? "" : " " + $0 } ?? ""
        guard value.isFinite else { return nonFinite(value) + " ± " + errorText(error) + suffix }
        let err = abs(error)
        if err.isNaN || err.isInfinite {
            return significant(value, digits: 4) + " ± " + nonFinite(err) + suffix
        }
        if err == 0 { return significant(value, digits: 6) + " ± 0" + suffix }

        // Two significant digits of the error, with the carry (9.96 → 10) done by printf's correct rounding.
        let errorExponent = decimalExponent(ofRounded: err, significantDigits: 2)
        let lastPlace = errorExponent - 1          // power of ten of the error's last shown digit
        let magnitude = max(abs(value), err)
        if magnitude >= 1e-3 && magnitude < 1e6 {
            let decimals = max(0, -lastPlace)
            let v = roundToPlace(value, lastPlace), e = roundToPlace(err, lastPlace)
            return fixed(v, decimals) + " ± " + fixed(e, decimals) + suffix
        }
        // Shared exponent: that of the larger of |v| and δ after rounding to the error's last place.
        // (Rounding a subnormal to its last place can give 0, whose logarithm is −∞: then the error's exponent.)
        let rounded = roundToPlace(magnitude, lastPlace)
        var exponent = rounded > 0 && rounded.isFinite ? Int(floor(log10(rounded))) : errorExponent
        if exponent < errorExponent { exponent = errorExponent }
        let decimals = exponent - lastPlace
        let scale = pow(10.0, Double(exponent))
        var vm = fixed(roundToPlace(value, lastPlace) / scale, decimals)
        var em = fixed(roundToPlace(err, lastPlace) / scale, decimals)
        if abs(Double(vm) ?? 0) >= 10 {           // v rounded up into the next decade
            exponent += 1
            let s = pow(10.0, Double(exponent))
            vm = fixed(roundToPlace(value, lastPlace) / s, decimals + 1)
            em = fixed(roundToPlace(err, lastPlace) / s, decimals + 1)
        }
        return "(" + vm + " ± " + em + ")" + exponentText(exponent) + suffix
    }

    // MARK: efficiencies

    /// An efficiency or share given as a fraction (0.028 → `2.8 %`).
    public static func efficiency(_ fraction: Double) -> String {
        guard fraction.isFinite else { return nonFinite(fraction) }
        if fraction == 0 { return "0 %" }
        let sign = fraction < 0 ? "-" : ""
        let p = abs(fraction) * 100
        if roundToPlace(p, -1) >= 1 { return sign + fixed(p, 1) + " %" }
        if p >= 0.1 {
            let place = decimalExponent(ofRounded: p, significantDigits: 2) - 1   // keeps 0.50, not 0.5
            return sign + fixed(roundToPlace(p, place), -place) + " %"
        }
        return sign + scientific(p, digits: 2) + " %"
    }

    // MARK: durations

    /// A wall or CPU time in seconds: `850 ms`, `3 min 05 s`, `1 h 02 min`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        if seconds < 0 { return "-" + duration(-seconds) }
        if seconds == 0 { return "0 s" }
        let micro = (seconds * 1e6).rounded()
        if micro < 1000 { return "\(Int(micro)) µs" }
        let milli = (seconds * 1e3).rounded()
        if milli < 1000 { return "\(Int(milli)) ms" }
        let tenths = (seconds * 10).rounded()
        if tenths < 100 { return fixed(tenths / 10, 1) + " s" }
        let s = Int64(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min " + twoDigits(s % 60) + " s" }
        let minutes = Int64((seconds / 60).rounded())
        if minutes < 24 * 60 { return "\(minutes / 60) h " + twoDigits(minutes % 60) + " min" }
        let hours = Int64((seconds / 3600).rounded())
        return "\(hours / 24) d " + twoDigits(hours % 24) + " h"
    }

    // MARK: counts and rates

    /// `1,234,567`.
    public static func count<I: BinaryInteger>(_ n: I, separator: String = ",") -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += separator }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Things per second with two significant digits: `6.3e3/s`, `42/s`, `0.63/s`.
    public static func rate(_ perSecond: Double, unit: String = "/s") -> String {
        guard perSecond.isFinite else { return nonFinite(perSecond) + unit }
        if perSecond == 0 { return "0" + unit }
        let sign = perSecond < 0 ? "-" : ""
        let r = abs(perSecond)
        let rounded = Double(scientific(r, digits: 2)) ?? r
        if rounded >= 0.01 && rounded < 1000 { return sign + significant(r, digits: 2) + unit }
        return sign + scientific(r, digits: 2) + unit
    }

    // MARK: building blocks (also used by chart tick labels)

    /// `digits` significant digits, plain notation, trailing zeros of the fraction dropped (1049.63 → "1050"
    /// for 3 digits, 0.0012345 → "0.00123"). Large or tiny magnitudes fall back to `scientific`.
    public static func significant(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return nonFinite(x) }
        if x == 0 { return "0" }
        let e = decimalExponent(ofRounded: abs(x), significantDigits: digits)
        if e >= 15 || e < -6 { return scientific(x, digits: digits) }
        let place = e - digits + 1
        var s = fixed(roundToPlace(x, place), max(0, -place))
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// `2.8e-2`, `6.3e3`: mantissa with `digits` significant digits, exponent without "+" or leading zeros.
    public static func scientific(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return nonFinite(x) }
        let s = cFormat("%.\(max(digits - 1, 0))e", x)
        guard let eIndex = s.firstIndex(of: "e") else { return s }
        let mantissa = s[..<eIndex]
        let exponent = Int(s[s.index(after: eIndex)...]) ?? 0
        return mantissa + "e" + String(exponent)
    }

    // MARK: private helpers

    /// Power of ten of the leading digit of |x| after rounding it to `significantDigits` (9.96, 2 → 1).
    static func decimalExponent(ofRounded x: Double, significantDigits: Int) -> Int {
        let s = cFormat("%.\(max(significantDigits - 1, 0))e", abs(x))
        guard let eIndex = s.firstIndex(of: "e") else { return 0 }
        return Int(s[s.index(after: eIndex)...]) ?? 0
    }

    /// x rounded to a multiple of 10^place (decimal, through printf so halves follow the binary value).
    static func roundToPlace(_ x: Double, _ place: Int) -> Double {
        if place <= 0 { return Double(cFormat("%.\(-place)f", x)) ?? x }
        let scale = pow(10.0, Double(place))
        return (x / scale).rounded() * scale
    }

    static func fixed(_ x: Double, _ decimals: Int) -> String {
        var s = cFormat("%.\(max(decimals, 0))f", x)
        // "-0.0" says nothing a reader can use; drop the sign of a rounded zero.
        if s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
        return s
    }

    static func exponentText(_ e: Int) -> String {
        "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
    }

    private static func errorText(_ e: Double) -> String {
        e.isFinite ? significant(abs(e), digits: 2) : nonFinite(abs(e))
    }

    static func nonFinite(_ x: Double) -> String { x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }

    private static func twoDigits(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func cFormat(_ format: String, _ x: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([x]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(cString: buffer)
    }
}
