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
        let alphaS = 0.118, gs2 = 4 * Double.pi * alphaS
        for seed in UInt64(30)...34 {
            let p = rambo(300, 3, seed: seed)
            let crossed = -analyticUDbarWg(p[0], -p[4], p[2], p[3], -p[1], gs2: gs2) / 96
            XCTAssertGreaterThan(crossed, 0)
            assertRelative(me.squared(p, alphaS: alphaS), crossed, 1e-10, "u g > e+ ve d")
        }
    }
}
