import XCTest
@testable import Report

final class FormattingTests: XCTestCase {
    func testMeasurementRoundsErrorToTwoSignificantDigits() {
        XCTAssertEqual(Format.measurement(1049.63, error: 4.27, unit: "pb"), "1049.6 ± 4.3 pb")
        XCTAssertEqual(Format.measurement(8010.04, error: 5.2), "8010.0 ± 5.2")
        XCTAssertEqual(Format.measurement(8012.4, error: 52.3), "8012 ± 52")
        XCTAssertEqual(Format.measurement(123456, error: 5249), "123500 ± 5200")
        XCTAssertEqual(Format.measurement(0.123456, error: 0.00123), "0.1235 ± 0.0012")
        XCTAssertEqual(Format.measurement(1.5, error: 0.15), "1.50 ± 0.15")
        XCTAssertEqual(Format.measurement(1.5, error: 1), "1.5 ± 1.0")
    }

    func testCarryIntoTheNextDecade() {
        XCTAssertEqual(Format.measurement(412.345, error: 9.96), "412 ± 10")
        XCTAssertEqual(Format.measurement(412.345, error: 0.0996), "412.35 ± 0.10")
        XCTAssertEqual(Format.measurement(99.96, error: 0.02), "99.960 ± 0.020")
        XCTAssertEqual(Format.measurement(9.996, error: 0.0102), "9.996 ± 0.010")
    }

    func testNegativeAndZeroValues() {
        XCTAssertEqual(Format.measurement(-1049.63, error: 4.27, unit: "pb"), "-1049.6 ± 4.3 pb")
        XCTAssertEqual(Format.measurement(0, error: 4.27), "0.0 ± 4.3")
        XCTAssertEqual(Format.measurement(-0.01, error: 4.27), "0.0 ± 4.3", "a rounded zero has no sign")
        XCTAssertEqual(Format.measurement(3.2, error: -0.41), "3.20 ± 0.41", "a negative error is its magnitude")
    }

    func testErrorZeroOrNonFinite() {
        XCTAssertEqual(Format.measurement(1049.63, error: 0, unit: "pb"), "1049.63 ± 0 pb")
        XCTAssertEqual(Format.measurement(1.0 / 3.0, error: 0), "0.333333 ± 0")
        XCTAssertEqual(Format.measurement(1049.63, error: .nan), "1050 ± nan")
        XCTAssertEqual(Format.measurement(1049.63, error: .infinity, unit: "pb"), "1050 ± inf pb")
        XCTAssertEqual(Format.measurement(.nan, error: 3), "nan ± 3")
        XCTAssertEqual(Format.measurement(-.infinity, error: .nan), "-inf ± nan")
    }

    func testSharedExponentForVeryLargeAndSmall() {
        XCTAssertEqual(Format.measurement(2.40313e6, error: 8612, unit: "pb"), "(2.4031 ± 0.0086)e+06 pb")
        XCTAssertEqual(Format.measurement(1.2e-5, error: 3.04e-7), "(1.200 ± 0.030)e-05")
        XCTAssertEqual(Format.measurement(1e-5, error: 3e-4), "(0.1 ± 3.0)e-04")
        XCTAssertEqual(Format.measurement(9.9996e6, error: 30), "(9.999600 ± 0.000030)e+06")
        XCTAssertEqual(Format.measurement(9.99999e6, error: 3000), "(1.00000 ± 0.00030)e+07", "carry into the exponent")
        XCTAssertEqual(Format.measurement(-4.5e8, error: 2.2e7), "(-4.50 ± 0.22)e+08")
        // The plain range ends just below 1e6 and starts at 1e-3.
        XCTAssertEqual(Format.measurement(999_000, error: 1200), "999000 ± 1200")
        XCTAssertEqual(Format.measurement(0.00123, error: 0.00004), "0.001230 ± 0.000040")
    }

    func testEfficiency() {
        XCTAssertEqual(Format.efficiency(0.028), "2.8 %")
        XCTAssertEqual(Format.efficiency(0.715), "71.5 %")
        XCTAssertEqual(Format.efficiency(1), "100.0 %")
        XCTAssertEqual(Format.efficiency(0.0028), "0.28 %")
        XCTAssertEqual(Format.efficiency(0.005), "0.50 %")
        XCTAssertEqual(Format.efficiency(0.00996), "1.0 %", "rounds up into the one-decimal range")
        XCTAssertEqual(Format.efficiency(0.00028), "2.8e-2 %")
        XCTAssertEqual(Format.efficiency(3.1e-7), "3.1e-5 %")
        XCTAssertEqual(Format.efficiency(0), "0 %")
        XCTAssertEqual(Format.efficiency(-0.028), "-2.8 %")
        XCTAssertEqual(Format.efficiency(.nan), "nan")
    }

    func testDuration() {
        XCTAssertEqual(Format.duration(0), "0 s")
        XCTAssertEqual(Format.duration(0.00042), "420 µs")
        XCTAssertEqual(Format.duration(0.85), "850 ms")
        XCTAssertEqual(Format.duration(0.9996), "1.0 s")
        XCTAssertEqual(Format.duration(3.24), "3.2 s")
        XCTAssertEqual(Format.duration(9.96), "10 s")
        XCTAssertEqual(Format.duration(42.4), "42 s")
        XCTAssertEqual(Format.duration(59.7), "1 min 00 s")
        XCTAssertEqual(Format.duration(192), "3 min 12 s")
        XCTAssertEqual(Format.duration(185), "3 min 05 s")
        XCTAssertEqual(Format.duration(3599.6), "1 h 00 min")
        XCTAssertEqual(Format.duration(3720), "1 h 02 min")
        XCTAssertEqual(Format.duration(26 * 3600 + 1000), "1 d 02 h")
        XCTAssertEqual(Format.duration(-192), "-3 min 12 s")
        XCTAssertEqual(Format.duration(.nan), "?")
        XCTAssertEqual(Format.duration(.infinity), "?")
    }

    func testCount() {
        XCTAssertEqual(Format.count(0), "0")
        XCTAssertEqual(Format.count(999), "999")
        XCTAssertEqual(Format.count(1000), "1,000")
        XCTAssertEqual(Format.count(1_234_567), "1,234,567")
        XCTAssertEqual(Format.count(-1_234_567), "-1,234,567")
        XCTAssertEqual(Format.count(Int64.min), "-9,223,372,036,854,775,808")
        XCTAssertEqual(Format.count(UInt64(12_345), separator: "\u{2009}"), "12\u{2009}345")
    }

    func testRate() {
        XCTAssertEqual(Format.rate(6312), "6.3e3/s")
        XCTAssertEqual(Format.rate(999.6), "1.0e3/s", "rounds into the next decade before choosing the notation")
        XCTAssertEqual(Format.rate(42.4), "42/s")
        XCTAssertEqual(Format.rate(0.634), "0.63/s")
        XCTAssertEqual(Format.rate(0.0042), "4.2e-3/s")
        XCTAssertEqual(Format.rate(1.2e6, unit: " events/s"), "1.2e6 events/s")
        XCTAssertEqual(Format.rate(0), "0/s")
        XCTAssertEqual(Format.rate(-6312), "-6.3e3/s")
        XCTAssertEqual(Format.rate(.nan), "nan/s")
    }

    func testSignificantAndScientific() {
        XCTAssertEqual(Format.significant(1049.63, digits: 3), "1050")
        XCTAssertEqual(Format.significant(0.0012345, digits: 3), "0.00123")
        XCTAssertEqual(Format.significant(2.5, digits: 3), "2.5")
        XCTAssertEqual(Format.significant(-0.5, digits: 2), "-0.5")
        XCTAssertEqual(Format.significant(1e20, digits: 2), "1.0e20")
        XCTAssertEqual(Format.scientific(0.00028, digits: 2), "2.8e-4")
        XCTAssertEqual(Format.scientific(6312, digits: 1), "6e3")
    }
}
