// Tree-level matrix elements against closed forms and exact symmetries.
import XCTest
import Kinematics
@testable import Amplitudes

/// Deterministic uniform numbers in (0, 1) for test kinematics.
struct TestUniform {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
}

func rambo(_ sqrtS: Double, _ n: Int, seed: UInt64, masses: [Double]? = nil) -> [FourVector] {
    var u = TestUniform(seed: seed)
    return Rambo.event(sqrtS: sqrtS, masses: masses ?? [Double](repeating: 0, count: n)) { u.next() }
}

func assertRelative(_ a: Double, _ b: Double, _ tol: Double = 1e-10, _ msg: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssert(abs(a - b) <= tol * max(abs(a), abs(b)), "\(msg): \(a) vs \(b), rel \(abs(a - b) / max(abs(a), abs(b)))", file: file, line: line)
}

final class AmplitudeTests: XCTestCase {
    let sm = StandardModel()
    /// α_s with g_s = 1, so |M|² is in units of g_s⁴ etc.
    let unitAlphaS = 1 / (4 * Double.pi)

    // MARK: pure QCD 2 → 2, Ellis–Stirling–Webber "QCD and Collider Physics" Table 7.1:
    // Σ̄|M|²/g⁴ averaged over initial and summed over final spins and colours, no identical-particle factor.
    func testQCDTwoToTwoAgainstESW() throws {
        for seed in UInt64(1)...3 {
            let p = rambo(500, 2, seed: seed)
            let s = (p[0] + p[1]).m2, t = (p[0] - p[2]).m2, u = (p[0] - p[3]).m2
            let cases: [([Int], [Int], Double, Double)] = [
                ([21, 21], [21, 21], 4.5 * (3 - t * u / (s * s) - s * u / (t * t) - s * t / (u * u)), 0.5),
                ([2, -2], [21, 21], 32.0 / 27 * (t * t + u * u) / (t * u) - 8.0 / 3 * (t * t + u * u) / (s * s), 0.5),
                ([21, 21], [2, -2], 1.0 / 6 * (t * t + u * u) / (t * u) - 3.0 / 8 * (t * t + u * u) / (s * s), 1),
                ([2, 1], [2, 1], 4.0 / 9 * (s * s + u * u) / (t * t), 1),
                ([2, 2], [2, 2], 4.0 / 9 * ((s * s + u * u) / (t * t) + (s * s + t * t) / (u * u)) - 8.0 / 27 * s * s / (u * t), 0.5),
                ([2, -2], [1, -1], 4.0 / 9 * (t * t + u * u) / (s * s), 1),
                ([2, -2], [2, -2], 4.0 / 9 * ((s * s + u * u) / (t * t) + (t * t + u * u) / (s * s)) - 8.0 / 27 * u * u / (s * t), 1),
                ([2, 21], [2, 21], -4.0 / 9 * (s * s + u * u) / (s * u) + (u * u + s * s) / (t * t), 1),
                ([-1, -1], [-1, -1], 4.0 / 9 * ((s * s + u * u) / (t * t) + (s * s + t * t) / (u * u)) - 8.0 / 27 * s * s / (u * t), 0.5),
            ]
            for (inc, out, esw, sym) in cases {
                let me = try TreeMatrixElement(incoming: inc, outgoing: out, model: sm)
                assertRelative(me.squared(p, alphaS: unitAlphaS), esw * sym, 1e-10, "\(inc) > \(out)")
            }
        }
    }

    // MARK: u d̄ → e⁺ ν_e. The V−A currents give Σ_spins |M|² = 4 (g_W/√2)⁴ |V|² s_{uℓ} s_{d̄ν} / |D|² with
    // s_{ij} = 2 p_i·p_j, D = ŝ − M_W² + i M_W Γ_W; with 1/4 (spins) and 3/9 (colours):
    // Σ̄|M|² = (1/3) (g_W⁴/4) |V_ud|² û² / ((ŝ − M²)² + M²Γ²), û = (p_u − p_ℓ⁺)².
    func testUDbarToLeptonsAnalytic() throws {
        var model = sm
        model.cabibboAngle = 0.227
        let me = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12], model: model)
        for seed in UInt64(10)...14 {
            let p = rambo(80 + Double(seed), 2, seed: seed)
            let s = (p[0] + p[1]).m2, u = (p[0] - p[2]).m2
            let mw = model.mW, gw = model.gW
            let v = cos(model.cabibboAngle)
            let expected = (1.0 / 3) * pow(gw, 4) / 4 * v * v * u * u / (pow(s - mw * mw, 2) + pow(mw * model.widthW, 2))
            assertRelative(me.squared(p, alphaS: 0.118), expected, 1e-10, "u d~ > e+ ve")
        }
        // W⁻: d ū → e⁻ ν̄_e, the CP image, with û = (p_ū − p_e⁻)².
        let dubar = try TreeMatrixElement(incoming: [1, -2], outgoing: [11, -12], model: model)
        for seed in UInt64(15)...17 {
            let p = rambo(70 + Double(seed), 2, seed: seed)
            let s = (p[0] + p[1]).m2, u = (p[1] - p[2]).m2
            let expected = (1.0 / 3) * pow(model.gW, 4) / 4 * pow(cos(model.cabibboAngle), 2) * u * u
                / (pow(s - model.mW * model.mW, 2) + pow(model.mW * model.widthW, 2))
            assertRelative(dubar.squared(p, alphaS: 0.118), expected, 1e-10, "d u~ > e- ve~")
        }
        // Cabibbo-suppressed u s̄ → e⁺ν carries sin²θ_C.
        let us = try TreeMatrixElement(incoming: [2, -3], outgoing: [-11, 12], model: model)
        let p = rambo(81, 2, seed: 3)
        let ratio = us.squared(p, alphaS: 0.118) / me.squared(p, alphaS: 0.118)
        assertRelative(ratio, pow(tan(model.cabibboAngle), 2), 1e-12, "u s~ / u d~")
    }

    /// u d̄ → e⁺ ν g. For left-handed couplings the helicity amplitudes of q q̄ → V*(→ ℓ ℓ̄) g
    /// (|A|² ∝ s_{qℓ̄}² / (s_{qg} s_{q̄g} s_{ℓℓ̄}) and its parity partner, the vector boson propagator 1/s_{ℓℓ̄}
    /// replaced by 1/D) give Σ|M|² = K s_{eν} (s_{ue}² + s_{d̄ν}²) / (s_{ug} s_{d̄g} |D|²); the soft-gluon limit
    /// (eikonal factor 2 C_F g² p_u·p_d̄/(p_u·k p_d̄·k) times the Born above) fixes K = 2 C_F N_c g_s² g_W⁴ |V|²
    /// = 8 g_s² g_W⁴ |V|². Average 1/36.
    func analyticUDbarWg(_ pu: FourVector, _ pd: FourVector, _ pe: FourVector, _ pv: FourVector, _ pg: FourVector,
                         gs2: Double) -> Double {
        let mw = sm.mW, gw = sm.gW
        let q2 = (pe + pv).m2
        let d2 = pow(q2 - mw * mw, 2) + pow(mw * sm.widthW, 2)
        let sue = 2 * pu.dot(pe), sdv = 2 * pd.dot(pv), sug = 2 * pu.dot(pg), sdg = 2 * pd.dot(pg)
        return 8 * gs2 * pow(gw, 4) * q2 * (sue * sue + sdv * sdv) / (sug * sdg * d2)
    }

    func testUDbarToLeptonsGluonAnalytic() throws {
        let me = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 21], model: sm)
        let alphaS = 0.118, gs2 = 4 * Double.pi * alphaS
        for seed in UInt64(20)...24 {
            let p = rambo(300, 3, seed: seed)
            let expected = analyticUDbarWg(p[0], p[1], p[2], p[3], p[4], gs2: gs2) / 36
            assertRelative(me.squared(p, alphaS: alphaS), expected, 1e-10, "u d~ > e+ ve g")
        }
    }

    /// Crossing: u g → e⁺ ν d from the u d̄ → e⁺ ν g form with p_d̄ → −p_d, p_g → −p_g, a factor (−1) for the
    /// crossed fermion and averaging 1/(4·3·8) instead of 1/(4·3·3).
    func testCrossingUGtoLeptonsD() throws {
        let me = try TreeMatrixElement(incoming: [2, 21], outgoing: [-11, 12, 1], model: sm)
        let udbar = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 21], model: sm)
        let alphaS = 0.118, gs2 = 4 * Double.pi * alphaS
        for seed in UInt64(30)...34 {
            let p = rambo(300, 3, seed: seed)
            let crossed = -analyticUDbarWg(p[0], -p[4], p[2], p[3], -p[1], gs2: gs2) / 96
            XCTAssertGreaterThan(crossed, 0)
            assertRelative(me.squared(p, alphaS: alphaS), crossed, 1e-10, "u g > e+ ve d")
            // The u d̄ → e⁺νg element itself at the crossed (negative-energy) momenta: its spinors continue as
            // |−k⟩ = i|k⟩, whose spin sums give |k̸| rather than k̸, i.e. they carry the (−1) of the crossed fermion
            // already; only the averaging differs (1/36 vs 1/96).
            let direct = udbar.squared([p[0], -p[4], p[2], p[3], -p[1]], alphaS: alphaS) * 36 / 96
            assertRelative(direct, crossed, 1e-10, "u d~ > e+ ve g continued to u g > e+ ve d")
        }
    }
}

// MARK: - Exact symmetries and identities at higher multiplicity.
final class AmplitudeSymmetryTests: XCTestCase {
    let sm = StandardModel()

    /// All-outgoing recursion-leg momenta of `me` at physical momenta `p`.
    func legs(_ me: TreeMatrixElement, _ p: [FourVector]) -> ([FourVector], (FourVector, FourVector)?) { me.legMomenta(p) }

    /// Ward identity: with one gluon's ε replaced by k/E_k and all other legs physical, every dual amplitude
    /// vanishes; compared with the largest dual amplitude over helicities.
    func testGaugeInvariance() throws {
        let processes: [([Int], [Int])] = [
            ([2, -1], [-11, 12, 21, 21]),
            ([2, -1], [-11, 12, 21, 21, 21, 21]),
            ([21, 21], [-11, 12, 1, -2, 21, 21]),
            ([2, 21], [-11, 12, 1, 21, 21, 21]),
            ([2, -1], [-11, 12, 2, -2, 21, 21]),
            ([2, 2], [-11, 12, 2, 1, 21, 21]),
            ([1, -2], [11, -12, 3, -3, 21]),
            ([21, 21], [21, 21, 21, 21]),
            ([2, -1], [24, 21, 21, 21]),
        ]
        for (pi, (inc, out)) in processes.enumerated() {
            let me = try TreeMatrixElement(incoming: inc, outgoing: out, model: sm)
            let masses = out.map { abs($0) == 24 ? sm.mW : 0.0 }
            let p = rambo(1000, out.count, seed: UInt64(100 + pi), masses: masses)
            let (k, lep) = legs(me, p)
            var typical = 0.0
            for h in me.helicities {
                for a in me.dualAmplitudes(legMomenta: k, helicities: h, leptons: lep) { typical = max(typical, a.magnitude) }
            }
            XCTAssertGreaterThan(typical, 0)
            for (g, leg) in me.program.legs.enumerated() where leg == .gluon {
                var kk = k
                kk[g] = (1 / abs(k[g].e)) * k[g]
                var worst = 0.0
                for h in me.helicities {
                    // Scale the replaced polarisation to unit energy: ε → k/E_k.
                    var amps = me.dualAmplitudes(legMomenta: k, helicities: h, leptons: lep, gaugeLeg: g)
                    amps = amps.map { (1 / abs(k[g].e)) * $0 }
                    for a in amps { worst = max(worst, a.magnitude) }
                }
                XCTAssertLessThan(worst / typical, 1e-10, "\(inc) > \(out), gluon leg \(g)")
            }
        }
    }

    /// Parke–Taylor: |A(1…n)| = |⟨ij⟩|⁴ / Π|⟨k,k+1⟩| = s_ij² / Π √|s_{k,k+1}| for gluons i, j of negative
    /// helicity (colour-ordered, Tr(T^aT^b) = δ^{ab}, g = 1; the same magnitude holds for the parity image).
    /// Non-MHV configurations with fewer than two negative helicities vanish.
    func testParkeTaylor() throws {
        for n in 4...6 {
            let me = try TreeMatrixElement(incoming: [21, 21], outgoing: [Int](repeating: 21, count: n - 2), model: sm)
            let p = rambo(700, n - 2, seed: UInt64(n))
            let (k, _) = legs(me, p)
            // The flow with cyclic colour order 0, 1, …, n−1.
            guard let f = me.program.flows.firstIndex(where: { fl in (0..<n).allSatisfy { fl.successor[$0] == ($0 + 1) % n } }) else {
                return XCTFail("no cyclic flow for n = \(n)")
            }
            func s(_ a: Int, _ b: Int) -> Double { abs((k[a] + k[b]).m2) }
            var den = 1.0
            for a in 0..<n { den *= s(a, (a + 1) % n).squareRoot() }
            for (i, j) in [(0, 1), (0, 2), (1, n - 1)] {
                var h = [Int](repeating: 1, count: n)
                h[i] = 0; h[j] = 0
                let a = me.dualAmplitudes(legMomenta: k, helicities: h)[f].magnitude
                assertRelative(a, s(i, j) * s(i, j) / den, 1e-10, "n = \(n), negative \(i), \(j)")
                var one = [Int](repeating: 1, count: n)
                one[i] = 0
                XCTAssertLessThan(me.dualAmplitudes(legMomenta: k, helicities: one)[f].magnitude, 1e-10 * a, "one negative helicity, n = \(n)")
                XCTAssertLessThan(me.dualAmplitudes(legMomenta: k, helicities: [Int](repeating: 1, count: n))[f].magnitude, 1e-10 * a, "all positive, n = \(n)")
            }
        }
    }

    /// |M|² is unchanged under a boost and a rotation of every momentum.
    func testLorentzInvariance() throws {
        let processes: [([Int], [Int])] = [
            ([2, -1], [-11, 12, 21, 21]),
            ([21, 1], [11, -12, 2, 21, 21]),
            ([2, 2], [-11, 12, 2, 1]),
            ([-1, 21], [-11, 12, -2, 21, 21, 21]),
            ([2, -1], [24, 21, 21]),
        ]
        for (pi, (inc, out)) in processes.enumerated() {
            let me = try TreeMatrixElement(incoming: inc, outgoing: out, model: sm)
            let p = rambo(800, out.count, seed: UInt64(200 + pi), masses: out.map { abs($0) == 24 ? sm.mW : 0.0 })
            let (c, s) = (cos(0.7), sin(0.7)), (c2, s2) = (cos(-1.3), sin(-1.3))
            let q = p.map { v -> FourVector in
                let r = FourVector(v.e, c * v.px - s * v.py, s * v.px + c * v.py, v.pz)
                let r2 = FourVector(r.e, r.px, c2 * r.py - s2 * r.pz, s2 * r.py + c2 * r.pz)
                return r2.boosted(beta: 0.3, -0.5, 0.6)
            }
            assertRelative(me.squared(q, alphaS: 0.12), me.squared(p, alphaS: 0.12), 1e-10, "\(inc) > \(out)")
        }
    }

    /// Bose/Fermi symmetry: swapping the momenta of identical particles leaves |M|² unchanged.
    func testIdenticalParticleSymmetry() throws {
        let me = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 21, 21, 21], model: sm)
        var p = rambo(600, 5, seed: 301)
        let a = me.squared(p, alphaS: 0.12)
        p.swapAt(4, 6)
        assertRelative(me.squared(p, alphaS: 0.12), a, 1e-10, "gluons 4 ↔ 6")
        p.swapAt(5, 6)
        assertRelative(me.squared(p, alphaS: 0.12), a, 1e-10, "gluons 5 ↔ 6")
        // u u → e⁺ ν u d: the two incoming u quarks.
        let uu = try TreeMatrixElement(incoming: [2, 2], outgoing: [-11, 12, 2, 1], model: sm)
        var q = rambo(600, 4, seed: 302)
        let b = uu.squared(q, alphaS: 0.12)
        q.swapAt(0, 1)
        assertRelative(uu.squared(q, alphaS: 0.12), b, 1e-10, "incoming u ↔ u")
    }

    /// On-shell W against W → ℓν: at q² = M_W² the lepton-angle average of Σ|M(ℓν)|² is
    /// (g_W² q²/3)/|D|² Σ_λ|M(W_λ)|² (the lepton tensor averages to (g_W²/3)(q^μq^ν − q² g^{μν})).
    /// The octahedron of decay directions integrates the quadratic angular dependence exactly.
    func testOnShellWAgainstLeptonAverage() throws {
        let cases: [([Int], [Int])] = [([2, -1], [21]), ([21, 2], [1, 21]), ([2, 2], [2, 1]), ([-3, 21], [-4, 21, 21]),
                                       ([1, -2], [21]), ([1, 1], [1, 2])]
        for (ci, (inc, partons)) in cases.enumerated() {
            let plus = inc.map(PDG.charge3).reduce(0, +) - partons.map(PDG.charge3).reduce(0, +) > 0
            let w = try TreeMatrixElement(incoming: inc, outgoing: [plus ? 24 : -24] + partons, model: sm)
            let l = try TreeMatrixElement(incoming: inc, outgoing: (plus ? [-11, 12] : [11, -12]) + partons, model: sm)
            let p = rambo(900, partons.count + 1, seed: UInt64(400 + ci), masses: [sm.mW] + [Double](repeating: 0, count: partons.count))
            let q = p[2]
            var avg = 0.0
            for d in [(1.0, 0.0, 0.0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)] {
                let h = sm.mW / 2
                let e = FourVector(h, h * d.0, h * d.1, h * d.2).boosted(fromRestFrameOf: q)
                let v = FourVector(h, -h * d.0, -h * d.1, -h * d.2).boosted(fromRestFrameOf: q)
                avg += l.squared([p[0], p[1], e, v] + p[3...], alphaS: 0.12) / 6
            }
            let expected = w.squared(p, alphaS: 0.12) * pow(sm.gW, 2) / (3 * pow(sm.widthW, 2))
            assertRelative(avg, expected, 1e-9, "\(inc) > W \(partons)")
        }
    }
}

// MARK: - Process strings, subprocess enumeration and grouping.
final class ProcessTests: XCTestCase {
    func testEnumerationCounts() throws {
        // u d̄, d̄ u, c s̄, s̄ c: one matrix element.
        let p0 = try Process("p p > e+ ve")
        XCTAssertEqual(p0.subprocesses.count, 4)
        XCTAssertEqual(p0.groups.count, 1)
        // q q̄' → W g (4), q g → W q' (4), q̄ g → W q̄' (4), each group with its beam swaps.
        let p1 = try Process("p p > e+ ve j")
        XCTAssertEqual(p1.subprocesses.count, 12)
        XCTAssertEqual(p1.groups.count, 3)
        XCTAssertEqual(p1.groups.map { $0.members.count }, [4, 4, 4])
        let m1 = try Process("p p > e- ve~ j")
        XCTAssertEqual(m1.subprocesses.count, 12)
        // Muons share the electrons' matrix elements; the counts stay the same.
        XCTAssertEqual(try Process("p p > mu+ vm j").subprocesses.count, 12)
        // With b: b g and b b̄ never couple to the W at one jet.
        XCTAssertEqual(try Process("p p > e+ ve j", options: ProcessOptions(includeBottom: true)).subprocesses.count, 12)
        // Cabibbo mixing opens u s̄, c d̄ and the corresponding q g channels: twice as many.
        var sm = StandardModel(); sm.cabibboAngle = 0.227
        XCTAssertEqual(try Process("p p > e+ ve j", options: ProcessOptions(model: sm)).subprocesses.count, 24)
        XCTAssertEqual(try Process("p p > W+ j").subprocesses.count, 12)
        XCTAssertEqual(try Process("u d~ > e+ ve g").subprocesses.count, 1)
        XCTAssertEqual(try Process("g g > W+ d u~").subprocesses.count, 1)
        // Two jets, counted by hand: q q̄' → W g g (4), q g → W q' g (4), q̄ g → W q̄' g (4), g g → W q̄ q' (2),
        // and the four-quark channels.
        let p2 = try Process("p p > e+ ve j j")
        let twoGluon = p2.subprocesses.filter { $0.outgoing.filter { $0 == 21 }.count == 2 }
        XCTAssertEqual(twoGluon.count, 4)
        let gg = p2.subprocesses.filter { $0.incoming == [21, 21] }
        XCTAssertEqual(gg.count, 2)
        let fourQuark = p2.subprocesses.filter { !($0.incoming + $0.outgoing).contains(21) }
        XCTAssertEqual(p2.subprocesses.count, 4 + 4 + 4 + 2 + fourQuark.count)
        XCTAssertEqual(fourQuark.count, 76)
        // Every four-quark subprocess conserves each flavour except one W-coupled (up, down) pair.
        for sp in fourQuark { XCTAssertTrue(Process.flavourAllowed(sp, StandardModel()), "\(sp)") }
        XCTAssertTrue(fourQuark.contains(Subprocess(incoming: [2, 2], outgoing: [-11, 12, 1, 2])))
        // Three jets: 146, as counted by an independent brute force over all ordered beams and final multisets
        // (charge conservation, one up-type flavour −1 and one down-type +1 in the all-outgoing net flavours,
        // diagonal CKM): 4, 12, 90, 146, 498 for n = 0…4.
        XCTAssertEqual(try Process("p p > e+ ve j j j").subprocesses.count, 146)
        let p4 = try Process("p p > e+ ve j j j j")
        XCTAssertEqual(p4.subprocesses.count, 498)
        XCTAssertEqual(p4.groups.reduce(0) { $0 + $1.members.count }, 498)
        XCTAssertTrue(fourQuark.contains(Subprocess(incoming: [2, -1], outgoing: [-11, 12, 2, -2])))
    }

    /// The batch form (shared work buffers) gives exactly the single-point values.
    func testBatchEqualsSinglePoints() throws {
        let me = try TreeMatrixElement(incoming: [21, 2], outgoing: [-11, 12, 1, 21, 21])
        let points = (0..<4).map { rambo(500 + 100 * Double($0), 5, seed: UInt64(700 + $0)) }
        let alphas = [0.11, 0.12, 0.13, 0.14]
        let batch = me.squared(batch: points, alphaS: alphas)
        for i in points.indices { XCTAssertEqual(batch[i], me.squared(points[i], alphaS: alphas[i])) }
    }

    /// Helicity sampling is unbiased: the average over all configurations is the exact sum.
    func testSampledHelicityAveragesToExactSum() throws {
        for (inc, out) in [([2, -1], [-11, 12, 21, 21, 21]), ([2, 2], [-11, 12, 2, 1, 21]), ([21, 2], [24, 1, 21])] {
            let me = try TreeMatrixElement(incoming: inc, outgoing: out)
            let p = rambo(700, out.count, seed: 950, masses: out.map { abs($0) == 24 ? StandardModel().mW : 0 })
            let n = me.helicityCount
            var mean = 0.0
            for i in 0..<n { mean += me.squared(p, alphaS: 0.12, sampledHelicity: (Double(i) + 0.5) / Double(n)) / Double(n) }
            assertRelative(mean, me.squared(p, alphaS: 0.12), 1e-12, "\(inc) > \(out)")
        }
    }

    func testErrors() {
        XCTAssertThrowsError(try Process("p p > e+ vx j")) { XCTAssertEqual($0 as? AmplitudeError, .unknownParticle("vx")) }
        XCTAssertThrowsError(try Process("u d~ > e- ve~")) { XCTAssertEqual($0 as? AmplitudeError, .chargeNotConserved("u d~ > e- ve~")) }
        XCTAssertThrowsError(try Process("u u~ > e+ ve")) { error in
            guard case .chargeNotConserved = error as! AmplitudeError else { return XCTFail("\(error)") }
        }
        // V_cb = 0: charge is conserved but nothing couples.
        XCTAssertThrowsError(try Process("b c~ > e- ve~", options: ProcessOptions(includeBottom: true))) { XCTAssertEqual($0 as? AmplitudeError, .noSubprocesses("b c~ > e- ve~")) }
        // Lepton flavour: e⁺ ν_μ has no W amplitude; with multiparticle leptons only the matching pairs survive.
        XCTAssertThrowsError(try Process("u d~ > e+ vm")) { XCTAssertEqual($0 as? AmplitudeError, .noSubprocesses("u d~ > e+ vm")) }
        XCTAssertEqual(try? Process("u d~ > l+ vl").subprocesses.count, 2)
        XCTAssertThrowsError(try Process("p p e+ ve")) { error in
            guard case .malformedProcess = error as! AmplitudeError else { return XCTFail("\(error)") }
        }
    }

    /// Every member of every group: the group's matrix element at the reordered momenta equals the member's own.
    func testGroupingMatchesIndividualMatrixElements() throws {
        var sm = StandardModel(); sm.cabibboAngle = 0.227
        for (pi, string) in ["p p > e+ ve j", "p p > e- ve~ j j", "p p > W+ j"].enumerated() {
            let process = try Process(string, options: ProcessOptions(includeBottom: true, model: sm))
            var grouped = 0.0, individual = 0.0
            for g in process.groups {
                for m in g.members {
                    let masses = m.subprocess.outgoing.map { abs($0) == 24 ? sm.mW : 0.0 }
                    let p = rambo(700, masses.count, seed: UInt64(500 + pi), masses: masses)
                    let own = try TreeMatrixElement(incoming: m.subprocess.incoming, outgoing: m.subprocess.outgoing, model: sm)
                    let viaGroup = g.matrixElement.squared(m.legOrder.map { p[$0] }, alphaS: 0.12)
                    let direct = own.squared(p, alphaS: 0.12)
                    assertRelative(viaGroup, direct, 1e-10, "\(m.subprocess)")
                    XCTAssertGreaterThan(direct, 0)
                    grouped += viaGroup; individual += direct
                }
            }
            assertRelative(grouped, individual, 1e-10, string)
        }
    }
}

final class MomentumPointsTests: XCTestCase {
    func testParsingAndValidation() throws {
        let good = """
        # u d~ > e+ ve
        500 0 0 500
        500 0 0 -500
        500 300 0 400   # e+
        500 -300 0 -400

        400 0 0 400
        400 0 0 -400
        400 0 400 0
        400 0 -400 0
        """
        let pts = try MomentumPoints.parse(good, legs: 4)
        XCTAssertEqual(pts.count, 2)
        XCTAssertEqual(pts[1][2], FourVector(400, 0, 400, 0))
        XCTAssertThrowsError(try MomentumPoints.parse(good, legs: 5)) {
            XCTAssertEqual($0 as? MomentumPointsError, .wrongLegCount(point: 1, found: 4, expected: 5))
        }
        XCTAssertThrowsError(try MomentumPoints.parse("500 0 0 500\n500 0 0 -500\n500 300 0 nan\n500 -300 0 -400", legs: 4)) {
            XCTAssertEqual($0 as? MomentumPointsError, .malformedLine(line: 3, text: "500 300 0 nan"))
        }
        XCTAssertThrowsError(try MomentumPoints.parse("500 0 0 500\n500 0 0 -500\n500 300 0 400\n500 -300 0 -401", legs: 4)) {
            XCTAssertEqual($0 as? MomentumPointsError, .momentumNotConserved(point: 1, violation: 1))
        }
        XCTAssertThrowsError(try MomentumPoints.parse("# nothing\n", legs: 4)) { XCTAssertEqual($0 as? MomentumPointsError, .empty) }
        XCTAssertThrowsError(try MomentumPoints.parse("1 2 3\n", legs: 4)) {
            XCTAssertEqual($0 as? MomentumPointsError, .malformedLine(line: 1, text: "1 2 3"))
        }
    }
}

final class SoftLimitTests: XCTestCase {
    /// Soft-gluon factorisation for u d̄ → e⁺ ν g g with one gluon of energy λ → 0:
    /// |M_{n+1}|² → −g² Σ_{i≠j} T_i·T_j (p_i·p_j)/((p_i·k)(p_j·k)) |M_n|² (Bassetto, Ciafaloni, Marchesini;
    /// Catani–Seymour eq. 5.6 for tree level). For q q̄ g the colour correlations are Casimirs:
    /// T_u·T_d̄ = (C_A − 2C_F)/2 = 1/6, T_u·T_g = T_d̄·T_g = −C_A/2. The lepton pair absorbs the recoil.
    func testSoftGluonFactorisation() throws {
        let sm = StandardModel()
        let born = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 21], model: sm)
        let real = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 21, 21], model: sm)
        let alphaS = 0.118, g2 = 4 * Double.pi * alphaS
        for seed in UInt64(600)...602 {
            let p = rambo(400, 3, seed: seed)
            let (p1, p2, e, v, p3) = (p[0], p[1], p[2], p[3], p[4])
            let lambda = 1e-5 * 400
            let k = FourVector(lambda, lambda * 0.36, -lambda * 0.48, lambda * 0.8)
            // Lepton pair Q → Q − k, same decay direction in the pair's rest frame.
            let q = e + v, q2 = q - k
            let er = e.boosted(toRestFrameOf: q)
            let d = (er.px / er.p, er.py / er.p, er.pz / er.p)
            let h = q2.mass / 2
            let e2 = FourVector(h, h * d.0, h * d.1, h * d.2).boosted(fromRestFrameOf: q2)
            let v2 = FourVector(h, -h * d.0, -h * d.1, -h * d.2).boosted(fromRestFrameOf: q2)
            func s(_ a: FourVector, _ b: FourVector) -> Double { a.dot(b) / (a.dot(k) * b.dot(k)) }
            let eikonal = g2 * (-(1.0 / 3) * s(p1, p2) + 3 * s(p1, p3) + 3 * s(p2, p3))
            // The real |M|² carries 1/2 for the two identical gluons; the eikonal formula labels the soft one.
            let lhs = 2 * real.squared([p1, p2, e2, v2, p3, k], alphaS: alphaS)
            let rhs = eikonal * born.squared(p, alphaS: alphaS)
            assertRelative(lhs, rhs, 1e-3, "soft limit, seed \(seed)")
        }
    }
}

final class ColourMatrixTests: XCTestCase {
    /// Gell-Mann matrices / √2 (Tr(T^a T^b) = δ^{ab}), as (re, im) 3×3 arrays.
    static let generators: [[[Complex]]] = {
        let z = Complex.zero, o = Complex.one, i = Complex.i
        let s3 = 1 / 3.0.squareRoot()
        let l: [[[Complex]]] = [
            [[z, o, z], [o, z, z], [z, z, z]],
            [[z, -i, z], [i, z, z], [z, z, z]],
            [[o, z, z], [z, -o, z], [z, z, z]],
            [[z, z, o], [z, z, z], [o, z, z]],
            [[z, z, -i], [z, z, z], [i, z, z]],
            [[z, z, z], [z, z, o], [z, o, z]],
            [[z, z, z], [z, z, -i], [z, i, z]],
            [[Complex(s3), z, z], [z, Complex(s3), z], [z, z, Complex(-2 * s3)]],
        ]
        let r = 1 / 2.0.squareRoot()
        return l.map { m in m.map { row in row.map { r * $0 } } }
    }()

    /// c_σ for explicit colours: chains (T…T)_{i_q j_q̄} from each quark along σ, traces for gluon cycles.
    func tensor(_ succ: [Int], _ slots: [ColourSlots], _ colour: [Int]) -> Complex {
        let n = slots.count
        var visited = [Bool](repeating: false, count: n)
        var value = Complex.one
        func mul(_ a: [[Complex]], _ b: [[Complex]]) -> [[Complex]] {
            (0..<3).map { r in (0..<3).map { c in (0..<3).reduce(Complex.zero) { $0 + a[r][$1] * b[$1][c] } } }
        }
        let identity = (0..<3).map { r in (0..<3).map { c in r == c ? Complex.one : Complex.zero } }
        for start in 0..<n where slots[start].hasRight && !slots[start].hasLeft {
            var m = identity
            var k = succ[start]
            while slots[k].hasRight { m = mul(m, Self.generators[colour[k]]); visited[k] = true; k = succ[k] }
            value = value * m[colour[start]][colour[k]]
        }
        for start in 0..<n where slots[start].isGluon && !visited[start] {
            var m = identity
            var k = start
            repeat { m = mul(m, Self.generators[colour[k]]); visited[k] = true; k = succ[k] } while k != start
            value = value * (m[0][0] + m[1][1] + m[2][2])
        }
        return value
    }

    /// The loop-counting colour matrix against explicit sums over SU(3) colours.
    func testAgainstExplicitSU3Sums() throws {
        let cases: [[RecursionLeg]] = [
            [.quark(2), .antiquark(2), .gluon, .gluon],
            [.gluon, .gluon, .gluon, .gluon],
            [.quark(2), .antiquark(2), .quark(1), .antiquark(1), .gluon],
            [.quark(2), .antiquark(1), .quark(3), .antiquark(3), .quark(1), .antiquark(1)],
        ]
        for legs in cases {
            let slots = legs.map(\.slots)
            let flows = ColourFlows.enumerate(slots)
            let c = ColourFlows.matrix(flows, slots: slots)
            let ranges = slots.map { $0.isGluon ? 8 : 3 }
            var explicit = [Double](repeating: 0, count: flows.count * flows.count)
            var colour = [Int](repeating: 0, count: legs.count)
            func walk(_ i: Int) {
                if i == legs.count {
                    let t = flows.map { tensor($0, slots, colour) }
                    for a in flows.indices { for b in flows.indices {
                        explicit[a * flows.count + b] += (t[a].conjugate * t[b]).re
                    } }
                    return
                }
                for v in 0..<ranges[i] { colour[i] = v; walk(i + 1) }
            }
            walk(0)
            for k in c.indices { XCTAssertEqual(c[k], explicit[k], accuracy: 1e-9 * max(1, abs(c[k])), "\(legs) entry \(k)") }
        }
    }
}

/// Four-quark W amplitudes against explicit Feynman diagrams with explicit SU(3) colour sums
/// (Peskin–Schroeder rules: quark–gluon i g γ^μ t^a, t = λ/2, gluon propagator −i g_μν/k², quark i p̸/p²).
final class FourQuarkDiagramTests: XCTestCase {
    let sm = StandardModel()

    /// u d̄ → e⁺ ν q q̄ for q = u (identical to the incoming u: two fermion pairings, relative sign −1) or q = s.
    func diagrams(_ p: [FourVector], identical: Bool) -> Double {
        // All outgoing: ū_a (incoming u), d (incoming d̄), leptons, q, q̄_b.
        let kua = -p[0], kd = -p[1], kq = p[4], kqb = p[5]
        let eps = TreeMatrixElement.leptonCurrent(particle: p[3], antiparticle: p[2], model: sm)
        let kw = p[2] + p[3]
        let wv = Complex(0, -sm.gW / 2.0.squareRoot())
        let t = ColourMatrixTests.generators.map { m in m.map { row in row.map { (1 / 2.0.squareRoot()) * $0 } } }
        var total = 0.0
        for h in 0..<16 {
            let hd = h & 1 == 0 ? -1 : 1, hua = h & 2 == 0 ? -1 : 1, hq = h & 4 == 0 ? -1 : 1, hqb = h & 8 == 0 ? -1 : 1
            let ud = Wavefunctions.outgoingQuark(kd, hd), uq = Wavefunctions.outgoingQuark(kq, hq)
            let va = Wavefunctions.outgoingAntiquark(kua, hua), vb = Wavefunctions.outgoingAntiquark(kqb, hqb)
            /// The W line ū_d … v_x with the gluon current G (propagator included) from the other line, both orders.
            func wLine(_ vx: Spinor, _ g: CVector, _ kg: FourVector) -> Complex {
                let p1 = kd + kw, p2 = kd + kg
                let row1 = Complex(0, 1 / p1.m2) * Dirac.slash(wv * Dirac.slash(ud, eps).leftProjected, p1)
                let o1 = Dirac.slash(row1, g).contract(vx) * Complex(0, 1)
                let row2 = Complex(0, 1 / p2.m2) * Dirac.slash(Complex(0, 1) * Dirac.slash(ud, g), p2)
                let o2 = wv * Dirac.slash(row2, eps).contract(vx.leftProjected)
                return o1 + o2
            }
            func gluon(_ row: Spinor, _ col: Spinor, _ kg: FourVector) -> CVector {
                Complex(0, -1 / kg.m2) * (Complex(0, 1) * Dirac.current(row, col))
            }
            // Pairing 1: (d, ū_a) carries the W, (q, q̄_b) emits the gluon; pairing 2: (d, q̄_b) and (q, ū_a).
            let kg1 = kq + kqb, kg2 = kq + kua
            let a1 = wLine(va, gluon(uq, vb, kg1), kg1)
            let a2 = identical ? wLine(vb, gluon(uq, va, kg2), kg2) : .zero
            for id in 0..<3 { for ja in 0..<3 { for iq in 0..<3 { for jb in 0..<3 {
                var c1 = Complex.zero, c2 = Complex.zero
                for a in 0..<8 {
                    c1 += t[a][id][ja] * t[a][iq][jb]
                    c2 += t[a][id][jb] * t[a][iq][ja]
                }
                total += (c1 * a1 - c2 * a2).norm2
            } } } }
        }
        return total / 36
    }

    func testAgainstExplicitDiagrams() throws {
        let unit = 1 / (4 * Double.pi)
        let same = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 2, -2], model: sm)
        let other = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 3, -3], model: sm)
        for seed in UInt64(800)...803 {
            let p = rambo(600, 4, seed: seed)
            assertRelative(other.squared(p, alphaS: unit), diagrams(p, identical: false), 1e-10, "u d~ > e+ ve s s~")
            assertRelative(same.squared(p, alphaS: unit), diagrams(p, identical: true), 1e-10, "u d~ > e+ ve u u~")
        }
    }
}

final class ColourTagTests: XCTestCase {
    /// u d̄ → e⁺ ν g has one flow: the u colour goes to the gluon's colour, the d̄ anticolour to its anticolour.
    func testSingleFlowTags() throws {
        let me = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 21])
        XCTAssertEqual(me.flowCount, 1)
        let t = me.colourTags(flow: 0)
        XCTAssertEqual(t.map { [$0.colour, $0.anticolour] }, [[502, 0], [0, 501], [0, 0], [0, 0], [502, 501]])
    }

    /// The sampled flow is the one whose cumulative weight interval contains the uniform number.
    func testSamplingFollowsWeights() throws {
        let me = try TreeMatrixElement(incoming: [2, -1], outgoing: [-11, 12, 21, 21])
        XCTAssertEqual(me.flowCount, 2)
        let p = rambo(500, 4, seed: 902)
        let w = me.colourFlowWeights(p)
        let total = w[0] + w[1]
        func same(_ a: [(colour: Int, anticolour: Int)], _ b: [(colour: Int, anticolour: Int)]) -> Bool {
            zip(a, b).allSatisfy { $0.colour == $1.colour && $0.anticolour == $1.anticolour }
        }
        XCTAssertFalse(same(me.colourTags(flow: 0), me.colourTags(flow: 1)))
        XCTAssertTrue(same(me.sampleColourTags(p, uniform: 0.5 * w[0] / total), me.colourTags(flow: 0)))
        XCTAssertTrue(same(me.sampleColourTags(p, uniform: (w[0] + 0.5 * w[1]) / total), me.colourTags(flow: 1)))
    }

    /// Every tag joins exactly two slots: (incoming colour, outgoing colour), (outgoing colour, outgoing
    /// anticolour) or (incoming anticolour, outgoing anticolour), etc.; sampling follows the flow weights.
    func testTagsConnectConsistently() throws {
        let group = try Process("p p > e+ ve j j j").groups
        for g in group {
            let me = g.matrixElement as! TreeMatrixElement
            let sp = g.members[0].subprocess
            let p = rambo(800, sp.outgoing.count, seed: 901)
            let w = me.colourFlowWeights(g.members[0].legOrder.map { p[$0] })
            XCTAssertTrue(w.allSatisfy { $0 >= 0 } && w.contains { $0 > 0 }, "\(sp)")
            for u in [0.0, 0.37, 0.999] {
                guard let tags = g.sampleColourTags(member: 0, p, uniform: u) else { return XCTFail("no tags") }
                // Net colour: incoming colour counts as outgoing anticolour.
                var balance: [Int: Int] = [:]
                for (i, t) in tags.enumerated() {
                    let id = (sp.incoming + sp.outgoing)[i]
                    let isIn = i < 2
                    if t.colour != 0 { balance[t.colour, default: 0] += isIn ? -1 : 1 }
                    if t.anticolour != 0 { balance[t.anticolour, default: 0] += isIn ? 1 : -1 }
                    // Quarks and gluons carry colour, antiquarks and gluons anticolour, incoming or outgoing alike.
                    XCTAssertEqual(t.colour != 0, id == 21 || PDG.isQuark(id), "\(sp) leg \(i)")
                    XCTAssertEqual(t.anticolour != 0, id == 21 || PDG.isAntiquark(id), "\(sp) leg \(i)")
                }
                XCTAssertTrue(balance.values.allSatisfy { $0 == 0 }, "\(sp): \(tags)")
            }
        }
    }
}
