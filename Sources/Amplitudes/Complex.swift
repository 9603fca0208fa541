// A minimal complex number in Double: amplitudes, spinors and currents are complex-valued.

public struct Complex: Equatable, Sendable, CustomStringConvertible {
    public var re: Double
    public var im: Double
    @inlinable public init(_ re: Double, _ im: Double = 0) { self.re = re; self.im = im }
    public static let zero = Complex(0, 0)
    public static let one = Complex(1, 0)
    public static let i = Complex(0, 1)

    @inlinable @inline(__always) public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    @inlinable @inline(__always) public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    @inlinable public static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }
    @inlinable @inline(__always) public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    @inlinable @inline(__always) public static func * (s: Double, a: Complex) -> Complex { Complex(s * a.re, s * a.im) }
    @inlinable @inline(__always) public static func / (a: Complex, b: Complex) -> Complex {
        let d = b.re * b.re + b.im * b.im
        return Complex((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
    }
    @inlinable @inline(__always) public static func += (a: inout Complex, b: Complex) { a.re += b.re; a.im += b.im }
    @inlinable @inline(__always) public static func -= (a: inout Complex, b: Complex) { a.re -= b.re; a.im -= b.im }
    @inlinable public var conjugate: Complex { Complex(re, -im) }
    @inlinable public var norm2: Double { re * re + im * im }
    public var magnitude: Double { norm2.squareRoot() }
    public var description: String { "(\(re) \(im >= 0 ? "+" : "-") \(abs(im))i)" }
}
