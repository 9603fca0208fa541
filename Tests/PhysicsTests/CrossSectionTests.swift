// The hadronic integrand: cuts and scales against hand-computed values, the inclusive W cross section
// against an independent two-dimensional integral, multi-channel consistency, event records, errors.
import Foundation
import XCTest
import Amplitudes
import Kinematics
import Numerics
import PDF
import PhaseSpace
@testable import Physics

final class CrossSectionTests: XCTestCase {
    static let model = StandardModel()

    static func wGroup() -> SubprocessGroup {
        SubprocessGroup(members: [
            (Subprocess(incoming: [2, -1], outgoing: [-11, 12]), [0, 1, 2, 3]),
            (Subprocess(incoming: [-1, 2], outgoing: [-11, 12]), [1, 0, 2, 3]),
            (Subprocess(incoming: [4, -3], outgoing: [12, -11]), [0, 1, 3, 2]),
        ], matrixElement: UDbarToLeptonNeutrino())
    }

    // MARK: cuts

    static func massless(pt: Double, eta: Double, phi: Double) -> FourVector {
        FourVector(pt * cosh(eta), pt * cos(phi), pt * sin(phi), pt * sinh(eta))
    }

    func testCutsAgainstHandComputedValues() throws {
        let l = Self.massless(pt: 40, eta: 0.5, phi: 0), nu = Self.massless(pt: 40, eta: -1, phi: Double.pi)
        let j1 = Self.massless(pt: 25, eta: 0, phi: 0), j2 = Self.massless(pt: 30, eta: 0.3, phi: 0.3)
        let p = [FourVector.zero, .zero, l, nu, j1, j2]
        // ΔR(j1, j2) = √(0.3² + 0.3²) = 0.4243; m_T(ℓν) = √(2·40·40·(1 − cos π)) = 80.
        XCTAssertTrue(Cuts().passes(p, partons: 2))
        XCTAssertFalse(Cuts(jetDeltaRMin: 0.43).passes(p, partons: 2))
        XCTAssertTrue(Cuts(jetDeltaRMin: 0.42).passes(p, partons: 2))
        XCTAssertFalse(Cuts(jetPTMin: 25.5).passes(p, partons: 2))
        XCTAssertTrue(Cuts(jetPTMin: 24.5).passes(p, partons: 2))
        XCTAssertFalse(Cuts(jetEtaMax: 0.29).passes(p, partons: 2))
        XCTAssertFalse(Cuts(leptonPTMin: 41).passes(p, partons: 2))
        XCTAssertFalse(Cuts(leptonEtaMax: 0.49).passes(p, partons: 2))
        XCTAssertTrue(Cuts(leptonEtaMax: 0.51).passes(p, partons: 2))
        XCTAssertFalse(Cuts(missingETMin: 40.5).passes(p, partons: 2))
        XCTAssertFalse(Cuts(wTransverseMassMin: 80.5).passes(p, partons: 2))
        XCTAssertTrue(Cuts(wTransverseMassMin: 79.5).passes(p, partons: 2))
        // Only the first n partons are jets: with n = 1 the ΔR cut has nothing to compare.
        XCTAssertTrue(Cuts(jetDeltaRMin: 1).passes(p, partons: 1))
        XCTAssertThrowsError(try Cuts(jetPTMin: -1).validate()) { e in
            XCTAssertEqual(e as? PhysicsError, .invalidCut("jet pT minimum must not be negative, got -1.0"))
        }
        XCTAssertThrowsError(try Cuts(leptonPTMin: .nan).validate())
        XCTAssertThrowsError(try Cuts(jetEtaMax: 0).validate())
        // Generation limits: pair mass² bound 2 pT² (1 − cos ΔR).
        let lim = try Cuts().channelLimits(sqrtS: 13000, model: Self.model, jets: 2)
        XCTAssertEqual(lim.pairMass2Min, 2 * 400 * (1 - cos(0.4)), accuracy: 1e-12)
        XCTAssertEqual(lim.jetRapidityMax, 5)
    }

    // MARK: scales

    func testScalesAgainstHandComputedValues() throws {
        // ℓ = (E, 30, 0, 40) massless, ν = (E, −10, 20, −5), jets p_T 40 and 50.
        let l = FourVector(50, 30, 0, 40), nu = FourVector((100.0 + 400 + 25).squareRoot(), -10, 20, -5)
        let j1 = Self.massless(pt: 40, eta: 1, phi: 2), j2 = Self.massless(pt: 50, eta: -2, phi: -1)
        let p = [FourVector.zero, .zero, l, nu, j1, j2]
        let ptNu = 500.0.squareRoot()
        let wPt2 = 20.0 * 20 + 20 * 20
        let eSum = 50 + 525.0.squareRoot()
        let mW2 = eSum * eSum - (20.0 * 20 + 20 * 20 + 35 * 35)
        let mW = Self.model.mW
        let cases: [(ScaleChoice, Double)] = [
            (.fixed(91.188), 91.188),
            (.htHalf, 0.5 * (30 + ptNu + 40 + 50)),
            (.htPrimeHalf, 0.5 * (90 + (mW * mW + wPt2).squareRoot())),
            (.transverseMassHalf, 0.5 * (90 + (mW2 + wPt2).squareRoot())),
        ]
        for (choice, expected) in cases {
            let s = ScaleSetting(choice, renormalizationFactor: 2, factorizationFactor: 0.5)
            let (muR, muF) = s.scales(p, partons: 2, wMass: mW)
            XCTAssertEqual(muR, 2 * expected, accuracy: 1e-10, "\(choice)")
            XCTAssertEqual(muF, 0.5 * expected, accuracy: 1e-10, "\(choice)")
        }
        // The floor: leptons along the beam give H_T/2 = 0 → μ₀ = 1 GeV.
        let beamLeptons = [FourVector.zero, .zero, FourVector(40, 0, 0, 40), FourVector(40, 0, 0, -40)]
        XCTAssertEqual(ScaleSetting(.htHalf).scales(beamLeptons, partons: 0, wMass: mW).muR, 1)
        XCTAssertEqual(ScaleSetting(.htHalf, minimumScale: 3).scales(beamLeptons, partons: 0, wMass: mW).muF, 3)
        XCTAssertThrowsError(try ScaleSetting(.htHalf, minimumScale: -1).validate())
        // Decoding keeps defaults for absent keys.
        let decoded = try JSONDecoder().decode(ScaleSetting.self, from: Data(#"{"renormalizationFactor": 2}"#.utf8))
        XCTAssertEqual(decoded, ScaleSetting(.transverseMassHalf, renormalizationFactor: 2))
        let fixed = try JSONDecoder().decode(ScaleSetting.self, from: Data(#"{"choice": {"fixed": {"_0": 91.2}}}"#.utf8))
        XCTAssertEqual(fixed.choice, .fixed(91.2))
        XCTAssertThrowsError(try ScaleSetting(.fixed(-3)).validate())
        XCTAssertThrowsError(try ScaleSetting(.htHalf, renormalizationFactor: 0).validate())
    }

    // MARK: the integrand at one point

    func testValueIsPDFTimesMatrixElementOverFluxTimesJacobian() throws {
        let pdf = ToyPDF()
        let integrand = try HadronicIntegrand.wPlusJets(jets: 0, sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()],
                                                        cuts: .none, scales: ScaleSetting(.transverseMassHalf, renormalizationFactor: 1, factorizationFactor: 2))
        let y = [0.45, 0.3, 0.7, 0.2]
        let points = MatrixD(rows: 1, cols: 4, storage: y)
        let eval = try integrand.evaluateChecked(channel: 0, points: points)
        let (pt, p) = integrand.channels[0].map(y)
        let me = UDbarToLeptonNeutrino()
        let w = p[2] + p[3]
        let muF = 2 * 0.5 * (w.m2 + w.pt2).squareRoot()
        func f(_ id: Int, _ x: Double) -> Double { pdf.xfx(id, x: x, q: muF) / x }
        let lum1 = f(2, pt.x1) * f(-1, pt.x2), lum2 = f(-1, pt.x1) * f(2, pt.x2), lum3 = f(4, pt.x1) * f(-3, pt.x2)
        let m1 = me.squared(p, alphaS: 0), m2 = me.squared([p[1], p[0], p[2], p[3]], alphaS: 0)
        let sHat = pt.x1 * pt.x2 * 8000 * 8000
        let expected = (lum1 * m1 + lum2 * m2 + lum3 * m1) / (2 * sHat) * 0.3894e9 * pt.weight
        XCTAssertEqual(eval.value[0] / expected, 1, accuracy: 1e-12)
        XCTAssertEqual(eval.priorWeights.storage, [1])
        for k in 0..<4 { XCTAssertEqual(eval.features[0, k], y[k], accuracy: 1e-9) }   // channel 0's own y
    }

    // MARK: inclusive W cross section against an independent integral

    /// σ = ∫dm² ∫dy (1/s) Σ f_a(x₁) f_b(x₂) σ̂(m²), x₁,₂ = (m/√s) e^(±y), σ̂ = g_W⁴ m² / (576π |D|²):
    /// composite Simpson in θ (m² = M² + MΓ tan θ) and y. Independent of PhaseSpace and of the |M|² double.
    static func referenceCrossSection(sqrtS: Double, mMin: Double, mMax: Double, muF: Double) -> Double {
        let pdf = ToyPDF(), s = sqrtS * sqrtS
        let m = model.mW, g = model.widthW, gw4 = pow(model.gW, 4)
        let t0 = atan((mMin * mMin - m * m) / (m * g)), t1 = atan((mMax * mMax - m * m) / (m * g))
        func simpson(_ a: Double, _ b: Double, _ n: Int, _ f: (Double) -> Double) -> Double {
            let h = (b - a) / Double(n)
            var sum = f(a) + f(b)
            for i in 1..<n { sum += (i % 2 == 1 ? 4 : 2) * f(a + Double(i) * h) }
            return sum * h / 3
        }
        func xf(_ id: Int, _ x: Double) -> Double { pdf.xfx(id, x: x, q: muF) / x }
        let sigma = simpson(t0, t1, 400) { theta -> Double in
            let m2 = m * m + m * g * tan(theta)
            // dm² σ̂ = g_W⁴ m² / (576π MΓ) dθ (the Breit–Wigner cancels against dm²/dθ).
            let jacSigma = gw4 * m2 / (576 * Double.pi * m * g)
            let tau = m2 / s, yMax = -0.5 * log(tau), r = tau.squareRoot()
            let lum = simpson(-yMax, yMax, 800) { y -> Double in
                let x1 = r * exp(y), x2 = r * exp(-y)
                return xf(2, x1) * xf(-1, x2) + xf(-1, x1) * xf(2, x2) + xf(4, x1) * xf(-3, x2)
            }
            return jacSigma * lum / s
        }
        return sigma * 0.3894e9
    }

    /// Plain Monte Carlo over uniform points of channel 0: the mean value and its standard error.
    static func uniformEstimate(_ integrand: HadronicIntegrand, seed: UInt64, batches: Int,
                                batch: Int = 20_000) -> (mean: Double, error: Double) {
        var rng = RandomStream(seed: seed)
        var sum = 0.0, sum2 = 0.0
        var points = MatrixD(rows: batch, cols: integrand.dimension)
        var result = ChannelEvaluation()
        for _ in 0..<batches {
            rng.fillUniform(&points.storage)
            integrand.evaluate(channel: 0, points: points, into: &result)
            for v in result.value { sum += v; sum2 += v * v }
        }
        let n = Double(batches * batch)
        let mean = sum / n
        return (mean, ((sum2 / n - mean * mean) / (n - 1)).squareRoot())
    }

    func testInclusiveWCrossSectionMatchesIndependentIntegral() throws {
        let sqrtS = 8000.0, muF = 80.0
        let integrand = try HadronicIntegrand.wPlusJets(jets: 0, sqrtS: sqrtS, pdf: ToyPDF(), groups: [Self.wGroup()],
                                                        cuts: .none, scales: ScaleSetting(.fixed(muF)),
                                                        leptonPairMass: 40...200)
        XCTAssertEqual(integrand.dimension, 4)
        XCTAssertEqual(integrand.channelCount, 1)
        let (mean, err) = Self.uniformEstimate(integrand, seed: 2024, batches: 60)
        let reference = Self.referenceCrossSection(sqrtS: sqrtS, mMin: 40, mMax: 200, muF: muF)
        XCTAssertLessThan(err / mean, 1e-3, "MC precision")
        XCTAssertLessThan(abs(mean - reference), 3 * err, "MC \(mean) ± \(err) pb vs reference \(reference) pb")
        XCTAssertEqual(mean / reference, 1, accuracy: 2e-3)
    }

    /// The same inclusive cross section through a different map: luminosity pair with a Breit–Wigner in τ
    /// (mass M/√s, width Γ/√s) times flat two-body RAMBO, fed to the integrand as its only channel.
    func testInclusiveWThroughLuminosityChannelMatchesIndependentIntegral() throws {
        let sqrtS = 8000.0, muF = 80.0, s = sqrtS * sqrtS
        let m = Self.model
        let tau = try BreitWignerMap(mass: m.mW / sqrtS, width: m.widthW / sqrtS, lower: 40 * 40 / s, upper: 200 * 200 / s)
        let channel = try LuminosityChannel(sqrtS: sqrtS, tauMap: tau, partonic: try RamboChannel(particles: 2))
        let integrand = try HadronicIntegrand(sqrtS: sqrtS, pdf: ToyPDF(), groups: [Self.wGroup()], channels: [channel],
                                              cuts: .none, scales: ScaleSetting(.fixed(muF)), featureChannel: nil)
        XCTAssertEqual(integrand.dimension, 10)
        let (mean, err) = Self.uniformEstimate(integrand, seed: 77, batches: 30)
        let reference = Self.referenceCrossSection(sqrtS: sqrtS, mMin: 40, mMax: 200, muF: muF)
        XCTAssertLessThan(err / mean, 2e-3, "MC precision")
        XCTAssertLessThan(abs(mean - reference), 3 * err, "MC \(mean) ± \(err) pb vs reference \(reference) pb")
    }

    // MARK: multi-channel consistency with SDE priors (QCD-like toy |M|², W + 2 and W + 3 partons)

    func testMultiChannelSumEqualsSingleCoveringChannel() throws {
        for n in 2...3 {
            let outgoing = [-11, 12] + [Int](repeating: 21, count: n)
            let group = SubprocessGroup(members: [(Subprocess(incoming: [2, -1], outgoing: outgoing), Array(0..<(4 + n)))],
                                        matrixElement: EmissionLikeME(legCount: 4 + n))
            let integrand = try HadronicIntegrand.wPlusJets(jets: n, sqrtS: 2000, pdf: SmoothPDF(), groups: [group],
                                                            leptonPairMass: 60...100)
            XCTAssertEqual(integrand.channelCount, [2, 7][n - 2])
            XCTAssertEqual(integrand.featureCount, 3 * n + 4)
            var rng = RandomStream(seed: 99, stream: UInt64(n))
            let batch = n == 2 ? 20_000 : 12_000
            var points = MatrixD(rows: batch, cols: integrand.dimension)
            var result = ChannelEvaluation()
            var multi = 0.0, multiVar = 0.0
            var single = 0.0, singleVar = 0.0
            let c = integrand.channelCount
            for ch in 0..<c {
                var s1 = 0.0, s2 = 0.0, t1 = 0.0, t2 = 0.0
                rng.fillUniform(&points.storage)
                integrand.evaluate(channel: ch, points: points, into: &result)
                for i in 0..<batch {
                    var rowSum = 0.0
                    for k in 0..<c { rowSum += result.priorWeights[i, k]; XCTAssertGreaterThanOrEqual(result.priorWeights[i, k], 0) }
                    XCTAssertEqual(rowSum, 1, accuracy: 1e-12)
                    for k in 0..<integrand.featureCount where !(0...1).contains(result.features[i, k]) { XCTFail("feature outside [0, 1]") }
                    let v = result.value[i] * result.priorWeights[i, ch]
                    s1 += v; s2 += v * v
                    t1 += result.value[i]; t2 += result.value[i] * result.value[i]
                }
                let m = Double(batch)
                multi += s1 / m; multiVar += (s2 / m - (s1 / m) * (s1 / m)) / (m - 1)
                if ch == 0 { single = t1 / m; singleVar = (t2 / m - single * single) / (m - 1) }
            }
            XCTAssertGreaterThan(multi, 0)
            XCTAssertLessThan(multiVar.squareRoot() / multi, 0.05)
            let pull = abs(multi - single) / (multiVar + singleVar).squareRoot()
            XCTAssertLessThan(pull, 4, "W+\(n): multi-channel \(multi) ± \(multiVar.squareRoot()) vs channel 0 \(single) ± \(singleVar.squareRoot())")
        }
    }

    /// With density priors α_c = g_c/Σg, α_c · value_c = f / Σ_c g_c is the same whichever channel produced
    /// the point: check it exactly against f and the channel densities computed independently.
    func testDensityPriorsGiveChannelIndependentWeights() throws {
        let group = SubprocessGroup(members: [(Subprocess(incoming: [2, -1], outgoing: [-11, 12, 21, 21]), Array(0..<6))],
                                    matrixElement: EmissionLikeME(legCount: 6))
        let limits = try Cuts().channelLimits(sqrtS: 2000, model: Self.model, jets: 2)
        let integrand = try HadronicIntegrand(sqrtS: 2000, pdf: SmoothPDF(), groups: [group],
                                              channels: try WJetsChannels.make(jets: 2, limits: limits),
                                              priorWeighting: .channelDensities)
        var rng = RandomStream(seed: 12)
        var points = MatrixD(rows: 200, cols: integrand.dimension)
        rng.fillUniform(&points.storage)
        var checked = 0
        for c in 0..<integrand.channelCount {
            let eval = try integrand.evaluateChecked(channel: c, points: points)
            for i in 0..<points.rows where eval.value[i] > 0 {
                let (pt, p) = integrand.channels[c].map(points.row(i))
                let f = try integrand.differentialCrossSection(momenta: p, x1: pt.x1, x2: pt.x2)
                let g = integrand.channelDensities(ofMomenta: p, x1: pt.x1, x2: pt.x2)
                XCTAssertEqual(eval.priorWeights[i, c] * eval.value[i] / (f / g.reduce(0, +)), 1, accuracy: 1e-9)
                XCTAssertEqual((0..<integrand.channelCount).map { eval.priorWeights[i, $0] }.reduce(0, +), 1, accuracy: 1e-12)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 50)
    }

    // MARK: events

    func testEventFlavoursChosenInProportionToContribution() throws {
        let pdf = ToyPDF()
        let integrand = try HadronicIntegrand.wPlusJets(jets: 0, sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()],
                                                        cuts: .none, scales: ScaleSetting(.fixed(80)))
        let y = [0.5, 0.62, 0.3, 0.8]
        let (pt, p) = integrand.channels[0].map(y)
        let me = UDbarToLeptonNeutrino()
        func f(_ id: Int, _ x: Double) -> Double { pdf.xfx(id, x: x, q: 80) / x }
        let c = [f(2, pt.x1) * f(-1, pt.x2) * me.squared(p, alphaS: 0),
                 f(-1, pt.x1) * f(2, pt.x2) * me.squared([p[1], p[0], p[2], p[3]], alphaS: 0),
                 f(4, pt.x1) * f(-3, pt.x2) * me.squared(p, alphaS: 0)]
        let total = c.reduce(0, +)
        var counts = [0, 0, 0]
        var rng = RandomStream(seed: 4)
        let draws = 6000
        for _ in 0..<draws {
            let event = try XCTUnwrap(try integrand.event(channel: 0, point: y, selector: rng.uniform()))
            let k = [[2, -1], [-1, 2], [4, -3]].firstIndex(of: event.subprocess.incoming)!
            counts[k] += 1
        }
        for k in 0..<3 {
            let prob = c[k] / total
            let sd = (Double(draws) * prob * (1 - prob)).squareRoot()
            XCTAssertLessThan(abs(Double(counts[k]) - Double(draws) * prob), 4 * sd + 1, "member \(k)")
        }
        // The c s̄ member lists ν before ℓ⁺: its momenta must follow its own order.
        let ev = try XCTUnwrap(try integrand.event(channel: 0, point: y, selector: 0.999_999))
        XCTAssertEqual(ev.subprocess.outgoing, [12, -11])
        XCTAssertEqual(ev.momenta, [p[0], p[1], p[3], p[2]])
        XCTAssertEqual(ev.muR, 80); XCTAssertEqual(ev.alphaS, pdf.alphaS(80))
        XCTAssertEqual(ev.x1, pt.x1)
        let value = try integrand.evaluateChecked(channel: 0, points: MatrixD(rows: 1, cols: 4, storage: y)).value[0]
        XCTAssertEqual(ev.weight / value, 1, accuracy: 1e-12)
    }

    // MARK: errors

    func testBadInputThrowsClearErrors() throws {
        let pdf = ToyPDF()
        XCTAssertThrowsError(try HadronicIntegrand.wPlusJets(jets: 2, sqrtS: 45, pdf: pdf, groups: [Self.wGroup()])) { e in
            guard case .energyTooLow = e as? PhysicsError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try HadronicIntegrand.wPlusJets(jets: 0, sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()],
                                                             cuts: Cuts(jetPTMin: -5))) { e in
            XCTAssertEqual(e as? PhysicsError, .invalidCut("jet pT minimum must not be negative, got -5.0"))
        }
        XCTAssertThrowsError(try HadronicIntegrand.wPlusJets(jets: 1, sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()])) { e in
            guard case .invalidProcess = e as? PhysicsError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try HadronicIntegrand.wPlusJets(jets: 1, sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()],
                                                             cuts: Cuts(jetPTMin: nil))) { e in
            guard case .invalidCut = e as? PhysicsError else { return XCTFail("\(e)") }
        }
        let nan = try HadronicIntegrand(sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()], channels: [NaNChannel()],
                                        cuts: .none, featureChannel: nil)
        XCTAssertThrowsError(try nan.evaluateChecked(channel: 0, points: MatrixD(rows: 2, cols: 4, repeating: 0.5))) { e in
            XCTAssertEqual(e as? PhysicsError, .nonFiniteMomentum(channel: 0, point: 0))
        }
        var quiet = ChannelEvaluation()
        nan.evaluate(channel: 0, points: MatrixD(rows: 2, cols: 4, repeating: 0.5), into: &quiet)
        XCTAssertEqual(quiet.value, [0, 0])
        // A NaN from the PDF set or the matrix element is named as such, not blamed on the phase-space mapping.
        for source in [NumericalFaults.Source.pdf, .matrixElement] {
            var faulty = try HadronicIntegrand.wPlusJets(jets: 0, sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()], cuts: .none)
            faulty.faultInjection = FaultInjection(source: source, fraction: 1)
            XCTAssertThrowsError(try faulty.evaluateChecked(channel: 0, points: MatrixD(rows: 2, cols: 4, repeating: 0.5))) { e in
                XCTAssertEqual(e as? PhysicsError, .nonFiniteValue(channel: 0, point: 0, source: source))
                XCTAssertTrue("\(e)".contains(source.description), "\(e)")
            }
            XCTAssertThrowsError(try faulty.event(channel: 0, point: [0.5, 0.5, 0.5, 0.5], selector: 0.5)) { e in
                XCTAssertEqual(e as? PhysicsError, .nonFiniteValue(channel: 0, point: 0, source: source))
            }
        }
        let good = try HadronicIntegrand.wPlusJets(jets: 0, sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()], cuts: .none)
        XCTAssertThrowsError(try good.evaluateChecked(channel: 0, points: MatrixD(rows: 1, cols: 4, storage: [0.5, 1.5, 0.5, 0.5])))
        XCTAssertThrowsError(try good.differentialCrossSection(momenta: [FourVector](repeating: FourVector(.nan, 0, 0, 0), count: 4), x1: 0.1, x2: 0.1))
        XCTAssertThrowsError(try HadronicIntegrand(sqrtS: 8000, pdf: pdf, groups: [Self.wGroup()],
                                                   channels: [NaNChannel(), try ChiliChannel(jets: 1, limits: ChannelLimits(sqrtS: 8000, wMass: 80.4, wWidth: 2.1))])) { e in
            guard case .invalidChannels = e as? PhysicsError else { return XCTFail("\(e)") }
        }
    }
}

// Test doubles, nested so they cannot clash with other test files of the PhysicsTests target.
extension CrossSectionTests {
    /// Toy parton densities x·f(x, Q) = A xᵃ (1−x)ᵇ (1 + 0.05 ln(Q/10 GeV)) and one-loop αs (nf = 5).
    struct ToyPDF: PartonDensity {
        var name: String { "toy" }
        var lhapdfID: Int? { nil }
        func xfx(_ pid: Int, x: Double, q: Double) -> Double {
            let (a, p, b): (Double, Double, Double)
            switch pid {
            case 2: (a, p, b) = (2.0, 0.5, 3.0)
            case 1: (a, p, b) = (1.0, 0.5, 3.5)
            case 0, 21: (a, p, b) = (1.5, 0.0, 5.0)
            default: (a, p, b) = (0.2, 0.1, 6.0)
            }
            return a * pow(x, p) * pow(1 - x, b) * (1 + 0.05 * log(q / 10))
        }
        func alphaS(_ q: Double) -> Double {
            let b0 = 23 / (12 * Double.pi)
            return 0.118 / (1 + 0.118 * b0 * log(q * q / (91.188 * 91.188)))
        }
    }

    /// u(p₁) d̄(p₂) → ℓ⁺(p₃) ν(p₄) at tree level, massless fermions, W propagator with fixed width:
    /// |M|² averaged over the 4 helicity and 9 colour states of the initial quarks, summed over final helicities,
    /// = (g_W⁴/3) |V_ud|² (p₁·p₃)(p₂·p₄) / ((ŝ − M²)² + M²Γ²). Derived from the vertex −i g_W/√2 γ^μ P_L:
    /// Σ|v̄₂γ^μP_L u₁ ū₄γ_μP_L v₃|² = 16 (p₁·p₃)(p₂·p₄), colour sum 3, average 1/36, coupling (g_W²/2)².
    /// Integrated over the decay angles: ∫dΦ₂|M|² = g_W⁴|V|² ŝ² / (288π |D|²), σ̂ = πα²|V|²ŝ/(36 sin⁴θ_W |D|²).
    struct UDbarToLeptonNeutrino: MatrixElement {
        var model = StandardModel()
        var ckm = 1.0
        var legCount: Int { 4 }
        func squared(_ p: [FourVector], alphaS: Double) -> Double {
            let s = (p[0] + p[1]).m2
            let m = model.mW, g = model.widthW
            let d = (s - m * m) * (s - m * m) + m * m * g * g
            let gw2 = model.gW * model.gW
            return gw2 * gw2 / 3 * ckm * ckm * p[0].dot(p[2]) * p[1].dot(p[3]) / d
        }
    }

    /// A constant |M|² (times αs^k, to see that αs(μR) is passed) for phase-space volume checks.
    struct ConstantME: MatrixElement {
        var legCount: Int
        var value: Double
        var alphaPower = 0
        func squared(_ p: [FourVector], alphaS: Double) -> Double { value * pow(alphaS, Double(alphaPower)) }
    }

    /// A smooth toy PDF, f(x) = 10 (1 − x)³ for every flavour, αs = 0.118: keeps flat-ish test integrands tame.
    struct SmoothPDF: PartonDensity {
        var name: String { "smooth" }
        var lhapdfID: Int? { nil }
        func xfx(_ pid: Int, x: Double, q: Double) -> Double { 10 * x * pow(1 - x, 3) }
        func alphaS(_ q: Double) -> Double { 0.118 }
    }

    /// A QCD-like toy with the W resonance: |M|² = c · BW(m_ℓν²) · Π_partons ((20 GeV)²/p_T²)^1.5 with
    /// BW = (MΓ)² / ((m² − M²)² + M²Γ²); legs 2, 3 are ℓ, ν and 4… the partons (the fall-off the maps expect).
    struct EmissionLikeME: MatrixElement {
        var legCount: Int
        let model = StandardModel()
        func squared(_ p: [FourVector], alphaS: Double) -> Double {
            let m2 = (p[2] + p[3]).m2, mg = model.mW * model.widthW, d = m2 - model.mW * model.mW
            var v = 1e-6 * mg * mg / (d * d + mg * mg)
            for k in 4..<legCount { v *= pow(400 / p[k].pt2, 1.5) }
            return v
        }
    }

    /// A channel that produces NaN momenta, to exercise the error path.
    struct NaNChannel: PhaseSpaceChannel {
        var name: String { "nan" }
        var dimension: Int { 4 }
        var finalStateCount: Int { 2 }
        func map(_ y: UnsafeBufferPointer<Double>, into momenta: inout [FourVector]) -> MappedPoint {
            for k in 0..<4 { momenta[k] = FourVector(.nan, 0, 0, 0) }
            return MappedPoint(x1: 0.5, x2: 0.5, weight: 1)
        }
        func density(ofMomenta momenta: [FourVector], x1: Double, x2: Double) -> Double { 1 }
    }
}

