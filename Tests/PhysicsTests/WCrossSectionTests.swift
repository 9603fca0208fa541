// W⁺ cross sections with the real ingredients: NNPDF2.3 LO (the pythia8mc wheel's grid), the Berends–Giele
// `TreeMatrixElement` groups of `Amplitudes.Process`, the Chili-style channels built by `CollisionSetup`.
//
// 1. Inclusive pp → W⁺ → e⁺νₑ at 13 TeV (no lepton cuts; the ℓν mass window is the integrand's default
//    generation window 10 GeV ≤ m_ℓν ≤ √s; μF = μR = m_T(ℓν)/2 = m_ℓν/2 since p_T,ℓν = 0 at LO) integrated by
//    the VEGAS multi-channel baseline (on the integrand averaged with its e⁺-angle mirror image, an exact
//    antithetic-variate symmetrisation: measured relative σ per point 0.47 without, 0.15 with it, i.e. ~5× less
//    variance per integrand call; see `DecayAngleSymmetrised`), against an independent Gauss–Legendre quadrature of
//        σ = Σ_{q q̄'} ∫ dm² ∫ dy (1/s) [f_q(x₁) f_q̄'(x₂) + (1↔2)] σ̂(m²),   x₁,₂ = (m/√s) e^{±y}.
// W⁺ + 1, 2, 3 jets (VEGAS vs the neural sampler) are in WJetsSamplerAgreementTests.swift.
import Foundation
import XCTest
import Amplitudes
import Cluster
import Flows
import Integrator
import Kinematics
import Numerics
import PDF
import PhaseSpace
@testable import Physics

final class WCrossSectionTests: XCTestCase {
    /// `<repo>/.venv`: the package root is three levels above this file.
    static let venv: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/.venv"
    }()
    static let setName = "NNPDF23_lo_as_0130_qed"

    /// The real PDF, or a skip when the set is not installed (the only reason to skip).
    static func realPDF() throws -> LHAGridPDF {
        do { return try LHAGridPDF.load(setName, searchPaths: [venv]) } catch PDFError.setNotFound(let name, let searched) {
            throw XCTSkip("PDF set \(name) is not installed (pip install pythia8mc into <repo>/.venv, or set LHAPDF_DATA_PATH); searched \(searched.count) locations")
        }
    }

    static func setup(jets n: Int) throws -> CollisionSetup {
        _ = try realPDF()
        var s = CollisionSetup()
        s.process = "p p > e+ ve" + String(repeating: " j", count: n)
        s.sqrtS = 13_000
        s.pdfSet = setName
        s.pdfSearchPaths = [venv]
        s.cuts = n == 0 ? .none : Cuts(jetPTMin: 20, jetEtaMax: 5, jetDeltaRMin: 0.4)
        s.scales = ScaleSetting(.transverseMassHalf)
        return s
    }

    // MARK: - Gauss–Legendre quadrature (nodes by Newton iteration on P_n)

    /// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1].
    static func gaussLegendre(_ n: Int) -> [(x: Double, w: Double)] {
        var rule = [(x: Double, w: Double)]()
        for i in 1...n {
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var dp = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in stride(from: 2, through: n, by: 1) {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                dp = Double(n) * (x * p1 - p0) / (x * x - 1)
                let dx = p1 / dp
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            rule.append((x, 2 / ((1 - x * x) * dp * dp)))
        }
        return rule
    }

    /// ∫_a^b f by `pieces` equal sub-intervals with an n-point rule each.
    static func integrate(_ a: Double, _ b: Double, pieces: Int, rule: [(x: Double, w: Double)], _ f: (Double) -> Double) -> Double {
        let h = (b - a) / Double(pieces)
        var sum = 0.0
        for k in 0..<pieces {
            let lo = a + Double(k) * h
            for node in rule { sum += node.w * f(lo + 0.5 * h * (node.x + 1)) }
        }
        return 0.5 * h * sum
    }

    func testGaussLegendreIsExactForPolynomialsAndConverges() {
        let rule = Self.gaussLegendre(8)
        XCTAssertEqual(rule.map(\.w).reduce(0, +), 2, accuracy: 1e-14)
        // Exact up to degree 2n − 1 = 15.
        XCTAssertEqual(Self.integrate(-1, 2, pieces: 1, rule: rule) { pow($0, 15) }, (pow(2, 16) - 1) / 16, accuracy: 1e-9)
        XCTAssertEqual(Self.integrate(0, Double.pi, pieces: 4, rule: rule) { sin($0) }, 2, accuracy: 1e-14)
    }

    // MARK: - 1. inclusive W⁺ → e⁺ν

    /// Partonic q q̄' → W⁺ → e⁺ν, massless, summed over the lepton angles (derived here, independently of the
    /// amplitude code): with the vertex −i (g_W/√2) V_qq' γ^μ P_L and the fixed-width propagator 1/D,
    /// D = ŝ − M² + iMΓ, the spin sum of the one left-handed configuration is
    /// Σ|M|² = 16 (g_W²/2)² |V|² (p_u·p_e⁺)(p_d̄·p_ν)/|D|² = 4 g_W⁴ |V|² (p_u·p_e⁺)(p_d̄·p_ν)/|D|², times the colour
    /// sum δ_ij δ_ij = 3; (p_u·p_e⁺)(p_d̄·p_ν) = (ŝ²/16)(1 + cos θ)² with θ the angle between e⁺ and d̄ (CM frame).
    /// Averaging 1/4 (spins) × 1/9 (colours) → (g_W⁴/3)|V|² (ŝ²/16)(1 + cos θ)²/|D|².
    /// With dΦ₂ = (1/8π) d cos θ / 2 and ⟨(1 + cos θ)²⟩ = 4/3: ∫dΦ₂ |M|² = g_W⁴ |V|² ŝ² / (288π |D|²), and the
    /// flux 1/(2ŝ) gives σ̂(ŝ) = g_W⁴ |V|² ŝ / (576π |D|²).
    /// With m² = M² + MΓ tan θ: dm²/|D|² = dθ/(MΓ), so dm² σ̂ = g_W⁴ |V|² m² dθ / (576π MΓ) — smooth in θ.
    /// The θ range is split at fixed masses (composite Gauss–Legendre, `nodes` per piece), y in `yPieces`
    /// equal pieces of `nodes` points. Returns pb.
    static func referenceInclusiveW(pdf: any PartonDensity, model: StandardModel, sqrtS: Double,
                                    mMin: Double, mMax: Double, nodes: Int, yPieces: Int) -> Double {
        let s = sqrtS * sqrtS, mW = model.mW, gammaW = model.widthW, gw4 = pow(model.gW, 4)
        func theta(_ m: Double) -> Double { atan((m * m - mW * mW) / (mW * gammaW)) }
        // Up-type (u, c) × down-type antiquarks (d̄, s̄) with their CKM weights; b is not in the proton here.
        var pairs: [(up: Int, down: Int, v2: Double)] = []
        for up in [2, 4] { for down in [1, 3] where model.ckm(up: up, down: down) != 0 {
            pairs.append((up, down, pow(model.ckm(up: up, down: down), 2)))
        } }
        let rule = gaussLegendre(nodes)
        let breaks = [mMin, 30, 50, 65, 75, 79, mW, 82, 86, 95, 120, 200, 500, 1500, 4000, mMax].filter { $0 >= mMin && $0 <= mMax }
        var sigma = 0.0
        for k in 0..<(breaks.count - 1) {
            sigma += integrate(theta(breaks[k]), theta(breaks[k + 1]), pieces: 1, rule: rule) { t -> Double in
                let m2 = mW * mW + mW * gammaW * tan(t)
                let m = m2.squareRoot(), muF = 0.5 * m      // m_T(ℓν)/2 at p_T,ℓν = 0
                let tau = m2 / s, yMax = -0.5 * log(tau), r = tau.squareRoot()
                guard yMax > 0 else { return 0 }
                let lum = integrate(-yMax, yMax, pieces: yPieces, rule: rule) { y -> Double in
                    let x1 = r * exp(y), x2 = r * exp(-y)
                    var l = 0.0
                    for p in pairs {
                        let q1 = pdf.xfx(p.up, x: x1, q: muF) / x1, qb2 = pdf.xfx(-p.down, x: x2, q: muF) / x2
                        let qb1 = pdf.xfx(-p.down, x: x1, q: muF) / x1, q2 = pdf.xfx(p.up, x: x2, q: muF) / x2
                        l += p.v2 * (q1 * qb2 + qb1 * q2)
                    }
                    return l
                }
                return gw4 * m2 / (576 * Double.pi * mW * gammaW) * lum / s
            }
        }
        return sigma * PhaseSpaceConstants.gevMinus2ToPb
    }

    func testInclusiveWPlusWithRealPDFMatchesIndependentQuadrature() throws {
        let setup = try Self.setup(jets: 0)
        let integrand = try setup.makeIntegrand()
        XCTAssertEqual(integrand.channelCount, 1)
        XCTAssertEqual(integrand.dimension, 4)
        // The process: exactly u d̄, c s̄ (either beam) with a diagonal CKM, one matrix-element group each way.
        let incoming = Set(integrand.groups.flatMap { $0.members.map { $0.subprocess.incoming } })
        XCTAssertEqual(incoming, [[2, -1], [-1, 2], [4, -3], [-3, 4]])
        // The scale the integrand uses at n = 0 is m_ℓν/2 (p_T,ℓν = 0): check on a generated event.
        let ev = try XCTUnwrap(try integrand.event(channel: 0, point: [0.43, 0.61, 0.27, 0.8], selector: 0.3))
        let pair = ev.momenta[2] + ev.momenta[3]
        XCTAssertEqual(pair.pt, 0, accuracy: 1e-9 * pair.e)
        XCTAssertEqual(ev.muF / (0.5 * pair.mass), 1, accuracy: 1e-9)
        XCTAssertEqual(ev.muR, ev.muF)

        let pdf = try Self.realPDF()
        var clock = Date()
        let reference = Self.referenceInclusiveW(pdf: pdf, model: setup.model, sqrtS: setup.sqrtS, mMin: 10, mMax: setup.sqrtS,
                                                 nodes: 10, yPieces: 12)
        let finer = Self.referenceInclusiveW(pdf: pdf, model: setup.model, sqrtS: setup.sqrtS, mMin: 10, mMax: setup.sqrtS,
                                             nodes: 16, yPieces: 16)
        XCTAssertEqual(reference / finer, 1, accuracy: 2e-5, "quadrature converged: \(reference) vs \(finer) pb")
        let quadratureSeconds = Date().timeIntervalSince(clock)

        // VEGAS on the integrand symmetrised in the e⁺ polar angle (see `DecayAngleSymmetrised`).
        clock = Date()
        let symmetrised = DecayAngleSymmetrised(base: integrand, angleCoordinate: 2)
        // Four dimensions and 10⁴ points per iteration: the classic damping 1.5 adapts faster and is safe here
        // (the product default 0.5 is for the high multiplicities, see VegasGrid.defaultDamping).
        let vegas = try VegasBaseline(integrand: symmetrised, bins: 64, damping: 1.5, seed: 1, communicator: SerialCommunicator())
        vegas.adapt(iterations: 5, pointsPerIteration: 10_000)
        let result = vegas.integrate(points: 60_000, batchSize: 20_000)
        let pull = (result.integral - finer) / result.error
        print("W+ → e+ ve, 13 TeV, NNPDF2.3 LO, 10 GeV < m_ℓν < √s, μ = m_ℓν/2: VEGAS \(result.integral) ± \(result.error) pb (rel \(result.error / result.integral)), quadrature \(finer) pb (coarser rule \(reference)), ratio \(result.integral / finer), pull \(pull); quadrature \(quadratureSeconds) s, MC \(Date().timeIntervalSince(clock)) s")
        XCTAssertLessThan(result.error / result.integral, 7e-4, "MC precision")
        XCTAssertLessThan(abs(pull), 3, "VEGAS \(result.integral) ± \(result.error) pb vs quadrature \(finer) pb")
        XCTAssertEqual(result.integral / finer, 1, accuracy: 2e-3)
    }
}

/// ½ [f(y) + f(y′)] with y′ the point whose e⁺ polar angle in the W rest frame is mirrored (u → 1 − u of the
/// channel's cos θ coordinate). The map y → y′ preserves the measure, so the integral is unchanged, while the
/// (1 ± cos θ)² shapes of quark-from-beam-1 and antiquark-from-beam-1 add up to 2(1 + cos² θ) whatever the
/// rapidity: this removes the y–cos θ correlation VEGAS cannot factorise (antithetic variates).
struct DecayAngleSymmetrised: Integrand {
    let base: HadronicIntegrand
    let angleCoordinate: Int
    var dimension: Int { base.dimension }
    var channelCount: Int { base.channelCount }
    var featureCount: Int { 0 }

    func evaluate(channel: Int, points: MatrixD, into result: inout ChannelEvaluation) {
        var mirrored = points
        for i in 0..<points.rows { mirrored[i, angleCoordinate] = 1 - points[i, angleCoordinate] }
        var other = ChannelEvaluation()
        base.evaluate(channel: channel, points: points, into: &result)
        base.evaluate(channel: channel, points: mirrored, into: &other)
        for i in 0..<points.rows { result.value[i] = 0.5 * (result.value[i] + other.value[i]) }
        result.features = MatrixD(rows: 0, cols: 0)
    }
}
