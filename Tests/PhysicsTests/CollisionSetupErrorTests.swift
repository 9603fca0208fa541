// Bad input end to end through `CollisionSetup.makeIntegrand()` and the integrand it returns: every problem is a
// thrown error whose message names the culprit (never a crash, never a silent NaN cross section).
import Foundation
import XCTest
import Amplitudes
import Kinematics
import Numerics
import PDF
import PhaseSpace
@testable import Physics

final class CollisionSetupErrorTests: XCTestCase {
    /// Runs `makeIntegrand()` and returns the error's message, failing if nothing is thrown.
    func message(_ setup: CollisionSetup, file: StaticString = #filePath, line: UInt = #line) -> (Error?, String) {
        do {
            _ = try setup.makeIntegrand()
            XCTFail("expected an error for \(setup.process)", file: file, line: line)
            return (nil, "")
        } catch { return (error, "\(error)") }
    }

    func base(_ process: String = "p p > e+ ve") throws -> CollisionSetup {
        var s = try WCrossSectionTests.setup(jets: 0)
        s.process = process
        return s
    }

    func testProcessErrorsNameTheProblem() throws {
        var (e, text) = message(try base("p p > e+ ve zz"))
        XCTAssertEqual(e as? AmplitudeError, .unknownParticle("zz"))
        XCTAssertTrue(text.hasPrefix("unknown particle 'zz'"), text)

        (e, text) = message(try base("u u > e+ ve"))
        XCTAssertEqual(e as? AmplitudeError, .chargeNotConserved("u u > e+ ve"))
        XCTAssertEqual(text, "electric charge is not conserved in 'u u > e+ ve'")

        // Charge is conserved (u d̄ → e⁺ ν̄ₑ) but lepton number is not: no subprocess survives.
        (e, text) = message(try base("p p > e+ ve~"))
        XCTAssertEqual(e as? AmplitudeError, .noSubprocesses("p p > e+ ve~"))
        XCTAssertTrue(text.contains("has no partonic subprocess"), text)

        // Pure QCD parses, but the W + jets phase space needs the ℓν pair.
        (e, text) = message(try base("p p > j j"))
        guard case .invalidProcess = e as? PhysicsError else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(text.contains("only ℓν final states are supported") && text.contains("found 0 leptons"), text)

        (e, text) = message(try base("p p e+ ve"))
        XCTAssertTrue(text.hasPrefix("malformed process"), text)
        (e, text) = message(try base("   "))
        XCTAssertEqual(e as? PhysicsError, .invalidSetup("the process string is empty; write e.g. 'p p > e+ ve j'"))
    }

    func testMissingPDFSetIsNamedWithTheSearchedPlaces() throws {
        var s = try base()
        s.pdfSet = "NoSuchSet_lo_as_0130"
        let (e, text) = message(s)
        guard case .setNotFound(let name, let searched)? = e as? PDFError else { return XCTFail("\(String(describing: e))") }
        XCTAssertEqual(name, "NoSuchSet_lo_as_0130")
        XCTAssertTrue(searched.contains(WCrossSectionTests.venv + "/share/Pythia8/pdfdata/NoSuchSet_lo_as_0130_0000.dat"), "\(searched)")
        XCTAssertTrue(text.hasPrefix("PDF set 'NoSuchSet_lo_as_0130' not found; looked in: "), text)

        s.pdfSet = "/nonexistent/folder/NNPDF23_lo_as_0130_qed_0000.dat"
        XCTAssertEqual(message(s).0 as? PDFError, .fileNotFound(path: "/nonexistent/folder/NNPDF23_lo_as_0130_qed_0000.dat"))
        s = try base()
        s.pdfMember = 999
        guard case .setNotFound? = message(s).0 as? PDFError else { return XCTFail("member 999 does not exist") }
    }

    func testBadNumbersAreRejectedBeforeAnythingIsBuilt() throws {
        var s = try base()
        s.sqrtS = .nan
        XCTAssertEqual(message(s).0 as? PhysicsError, .invalidSetup("collider energy √s must be positive and finite, got nan GeV"))
        s.sqrtS = -13_000
        XCTAssertEqual(message(s).1, "invalid collision setup: collider energy √s must be positive and finite, got -13000.0 GeV")
        s = try base()
        s.model.widthW = -2
        XCTAssertEqual(message(s).0 as? PhysicsError, .invalidSetup("W width must be positive and finite, got -2.0"))
        s = try base()
        s.model.mW = 95
        guard case .invalidSetup(let t)? = message(s).0 as? PhysicsError else { return XCTFail("W above Z accepted") }
        XCTAssertTrue(t.contains("must lie below the Z mass"), t)
        s = try base()
        s.pdfMember = -1
        XCTAssertEqual(message(s).0 as? PhysicsError, .invalidSetup("PDF member must be ≥ 0, got -1"))
        // Too little energy for two 20 GeV jets above the 10 GeV ℓν window.
        s = try base("p p > e+ ve j j")
        s.cuts = Cuts()
        s.sqrtS = 45
        XCTAssertEqual(message(s).0 as? PhysicsError, .energyTooLow(sqrtS: 45, threshold: 50))
        // Cuts and scales validate themselves.
        s.sqrtS = 13_000
        s.cuts.jetPTMin = -5
        XCTAssertEqual(message(s).1, "invalid cut: jet pT minimum must not be negative, got -5.0")
        s.cuts = Cuts()
        s.scales = ScaleSetting(.fixed(.nan))
        guard case .invalidScale? = message(s).0 as? PhysicsError else { return XCTFail("NaN scale accepted") }
        // Jets without a p_T cut are not infrared safe.
        s.scales = ScaleSetting()
        s.cuts.jetPTMin = nil
        guard case .invalidCut(let c)? = message(s).0 as? PhysicsError else { return XCTFail("W + 2 without pT cut accepted") }
        XCTAssertTrue(c.contains("infrared safety"), c)
    }

    func testNaNMomentaAndPointsThroughTheBuiltIntegrand() throws {
        let setup = try base("p p > e+ ve j")
        var s = setup
        s.cuts = Cuts()
        let integrand = try s.makeIntegrand()
        let nanPoint = [FourVector](repeating: FourVector(.nan, 0, 0, 0), count: 5)
        XCTAssertThrowsError(try integrand.differentialCrossSection(momenta: nanPoint, x1: 0.1, x2: 0.1)) { e in
            XCTAssertEqual(e as? PhysicsError, .invalidPoint("non-finite momentum or momentum fraction"))
        }
        XCTAssertThrowsError(try integrand.differentialCrossSection(momenta: Array(nanPoint.prefix(4)), x1: 0.1, x2: 0.1)) { e in
            XCTAssertEqual(e as? PhysicsError, .invalidPoint("expected 5 momenta, got 4"))
        }
        var y = MatrixD(rows: 2, cols: integrand.dimension, repeating: 0.5)
        y[1, 3] = .nan
        XCTAssertThrowsError(try integrand.evaluateChecked(channel: 0, points: y)) { e in
            XCTAssertEqual("\(e)", "invalid phase-space point: coordinate nan of row 1 lies outside [0, 1]")
        }
        XCTAssertThrowsError(try integrand.event(channel: 0, point: [Double](repeating: .nan, count: integrand.dimension), selector: 0.5)) { e in
            guard case .invalidPoint = e as? PhysicsError else { return XCTFail("\(e)") }
        }
        // A channel that produces NaN momenta, fed with the real process and PDF: reported with channel and row.
        let w0 = try base().makeIntegrand()
        let broken = try HadronicIntegrand(sqrtS: 13_000, pdf: w0.pdf, groups: w0.groups, channels: [CrossSectionTests.NaNChannel()],
                                           cuts: .none, featureChannel: nil)
        XCTAssertThrowsError(try broken.evaluateChecked(channel: 0, points: MatrixD(rows: 3, cols: 4, repeating: 0.5))) { e in
            XCTAssertEqual("\(e)", "channel 0 produced a non-finite (NaN or infinite) momentum or weight at point 0 of the batch")
        }
    }
}

/// Monte Carlo helicity sampling behind the `MatrixElement` seam: same mean as the exact sum, deterministic
/// per point, uniform selector.
final class HelicitySampledMatrixElementTests: XCTestCase {
    func testSampledMeanEqualsExactSumAndHashIsUniform() throws {
        let process = try Amplitudes.Process("u d~ > e+ ve g g")
        let group = try XCTUnwrap(process.groups.first)
        let exact = try XCTUnwrap(group.matrixElement as? TreeMatrixElement)
        let sampledGroup = group.helicitySampled()
        let sampled = try XCTUnwrap(sampledGroup.matrixElement as? HelicitySampledMatrixElement)
        XCTAssertEqual(sampled.helicityCount, exact.helicityCount)
        XCTAssertGreaterThan(exact.helicityCount, 1)
        var rng = RandomStream(seed: 31)
        let n = 1500
        var sumExact = 0.0, sumDiff = 0.0, sumDiff2 = 0.0, hashes = [Double]()
        for _ in 0..<n {
            let p = Amplitudes.Rambo.event(sqrtS: 500, masses: [0, 0, 0, 0]) { rng.uniform() }
            let q = group.members[0].legOrder.map { p[$0] }
            let e = exact.squared(q, alphaS: 0.118), s = sampled.squared(q, alphaS: 0.118)
            let u = HelicitySampledMatrixElement.unitHash(q)
            XCTAssertEqual(s, exact.squared(q, alphaS: 0.118, sampledHelicity: u))
            XCTAssertEqual(s, sampled.squared(q, alphaS: 0.118))          // deterministic
            hashes.append(u)
            sumExact += e; sumDiff += s - e; sumDiff2 += (s - e) * (s - e)
        }
        // Paired difference: mean zero within its error.
        let meanDiff = sumDiff / Double(n), sdDiff = ((sumDiff2 / Double(n) - meanDiff * meanDiff) / Double(n - 1)).squareRoot()
        XCTAssertGreaterThan(sdDiff, 0)
        XCTAssertLessThan(abs(meanDiff), 3.5 * sdDiff, "sampled − exact = \(meanDiff) ± \(sdDiff) (exact mean \(sumExact / Double(n)))")
        // The selector: 10 bins, χ² with 9 degrees of freedom.
        var bins = [Double](repeating: 0, count: 10)
        for u in hashes { XCTAssertTrue(u >= 0 && u < 1); bins[Int(u * 10)] += 1 }
        let expected = Double(n) / 10
        let chi2 = bins.reduce(0) { $0 + ($1 - expected) * ($1 - expected) / expected }
        XCTAssertGreaterThan(chiSquarePValue(chi2, dof: 9), 1e-3, "χ² = \(chi2)")
        // Nearby points (last bit of one component flipped) get unrelated selectors.
        let p = Amplitudes.Rambo.event(sqrtS: 500, masses: [0, 0, 0, 0]) { rng.uniform() }
        var nudged = p
        nudged[2].px = Double(bitPattern: p[2].px.bitPattern ^ 1)
        XCTAssertNotEqual(HelicitySampledMatrixElement.unitHash(p), HelicitySampledMatrixElement.unitHash(nudged))
    }
}
