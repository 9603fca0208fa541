// PDF throughput: ns per single-flavour xfx, per 11-flavour loop, per all-flavour call, per αs call.
// Set: NNPDF23_lo_as_0130_qed from LHAPDF_DATA_PATH or <cwd>/.venv (pythia8mc wheel layout).
import Foundation
import Numerics
import PDF

enum PDFBench {
    static func run() {
        let loadStart = ContinuousClock.now
        let pdf: LHAGridPDF
        do {
            pdf = try LHAGridPDF.load("NNPDF23_lo_as_0130_qed", searchPaths: [".venv"])
        } catch {
            print("PDF benchmark skipped: \(error)")
            return
        }
        let loadTime = ContinuousClock.now - loadStart

        // Points as an integrand sees them: x log-uniform in [1e-5, 1), Q log-uniform in [10, 3000] GeV.
        let n = 200_000
        var rng = RandomStream(seed: 2024)
        var xs = [Double](repeating: 0, count: n)
        var qs = [Double](repeating: 0, count: n)
        for i in 0..<n {
            xs[i] = exp(log(1e-5) * rng.uniform())
            qs[i] = 10 * exp(log(300.0) * rng.uniform())
        }
        let partons = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 21]
        var sink = 0.0
        var values = PartonValues()

        func nsPerCall(_ calls: Int, repeats: Int = 9, _ body: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<repeats {
                let d = ContinuousClock().measure(body)
                let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
                best = min(best, seconds * 1e9 / Double(calls))
            }
            return best
        }

        let single = nsPerCall(n) { for i in 0..<n { sink += pdf.xfx(21, x: xs[i], q: qs[i]) } }
        let eleven = nsPerCall(n) { for i in 0..<n { for p in partons { sink += pdf.xfx(p, x: xs[i], q: qs[i]) } } }
        let all = nsPerCall(n) {
            for i in 0..<n {
                pdf.xfxAll(x: xs[i], q: qs[i], into: &values)
                sink += values[slot: PartonValues.gluonSlot]
            }
        }
        let alpha = nsPerCall(n) { for i in 0..<n { sink += pdf.alphaS(qs[i]) } }
        let nlo = try? StrongCoupling(info: PDFSetInfo(name: "nlo", orderQCD: 1, alphaSMZ: 0.118), qFreeze: 1)
        let alphaNLO = nsPerCall(n) { if let a = nlo { for i in 0..<n { sink += a(qs[i]) } } }
        let outside = nsPerCall(n) { for i in 0..<n { sink += pdf.xfx(2, x: xs[i] * 1e-9, q: qs[i]) } }

        print("PDF benchmark: \(pdf.name) (\(pdf.flavours.count) flavours, load \(loadTime)), \(n) random points, best of 9 (machine shared: take the minimum)")
        print("  call                               ns/call")
        print("  xfx, one flavour                   " + fmt(single))
        print("  xfx × 11 flavours (loop)           " + fmt(eleven))
        print("  xfxAll, all \(pdf.flavours.count) flavours            " + fmt(all))
        print("  alphaS (1-loop, thresholds)        " + fmt(alpha))
        print("  alphaS (2-loop table, thresholds)  " + fmt(alphaNLO))
        print("  xfx below xMin (continuation)      " + fmt(outside))
        print("  (checksum \(sink))")
    }

    private static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return String(describing: r)
    }
}
