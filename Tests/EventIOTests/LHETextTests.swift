import XCTest
@testable import EventIO
#if canImport(Glibc)
import Glibc
#endif

/// The LHE number formatter against glibc's %.10e.
final class LHETextTests: XCTestCase {
    func printf(_ x: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 48)
        _ = buffer.withUnsafeMutableBufferPointer { b in withVaList([x]) { vsnprintf(b.baseAddress, b.count, "%.10e", $0) } }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func testNumbersMatchPrintfToTheLastDigit() throws {
        let devNull = try XCTUnwrap(fopen("/dev/null", "w"))
        defer { fclose(devNull) }
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 10, 0.1, 9.99999999995, 9.999999999949, 99999999999.5, 1e-300, .leastNonzeroMagnitude,
                                1.7976931348623157e308, 6500, 13000, -1127.504, 123456789012345, 0.5, 2.5e-11]
        for _ in 0..<200_000 {
            values.append(Double.random(in: -1...1, using: &rng) * pow(10, Double(Int.random(in: -30...30, using: &rng))))
        }
        var identical = 0
        for x in values {
            var text = LHEText(handle: devNull)
            text.number(x)
            let ours = text.text, reference = printf(x)
            if ours == reference { identical += 1; continue }
            // Only ties at the 11th digit may differ, by one unit there.
            let (a, b) = (try XCTUnwrap(Double(ours), ours), try XCTUnwrap(Double(reference), reference))
            XCTAssertEqual(ours.count, reference.count, "\(x): \(ours) vs \(reference)")
            XCTAssertLessThanOrEqual(abs(a - b), 1.0000001e-10 * abs(b), "\(x): \(ours) vs \(reference)")
        }
        XCTAssertGreaterThan(Double(identical) / Double(values.count), 0.999, "identical \(identical) of \(values.count)")
        var text = LHEText(handle: devNull)
        for v in [0, 7, -42, 1_000_000, Int.min + 1] { text.integer(v); text.space() }
        XCTAssertEqual(text.text, "0 7 -42 1000000 -9223372036854775807 ")
    }
}
