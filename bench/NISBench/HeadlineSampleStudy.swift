// How the unweighting efficiencies move with the size of the measurement sample: the adapted VEGAS and the
// trained NIS of one headline run, measured again on fresh samples of growing size, both maximum-weight
// policies. A tail the default sample misses raises the bootstrap maximum of a larger one.
#if canImport(Glibc)
import Glibc
#endif
import Cluster
import Numerics
import Integrator

extension WJetsHeadlineBench {
    static func sampleSizeStudy(_ c: SamplerComparison, integrand: any Integrand, settings: SamplerComparisonSettings,
                                seed: UInt64, json: String, comm: any Communicator) {
        let sizes = (env("HEADLINE_STUDY_POINTS") ?? "10000,30000,100000,300000,1000000").split(separator: ",").compactMap { Int($0) }
        print("\nSample-size study (n = 2, seed \(seed)): fresh samples, ε bootstrap median / reduced maximum")
        print("| points | ε VEGAS boot. / red. | ε NIS boot. / red. | ratio boot. / red. | σ NIS [pb] |")
        print("|---|---|---|---|---|")
        var rows: [[String: Any]] = []
        for points in sizes {
            let (v, n) = c.remeasure(points: points, integrand: integrand, settings: settings, communicator: comm)
            let row = HeadlineRecord.studyRow(points: points, vegas: v, nis: n)
            rows.append(row)
            let vegasEfficiencies = "\(e(v.result.unweightingEfficiency, 3)) / \(e(v.reducedMaximumEfficiency, 3))"
            let nisEfficiencies = "\(e(n.result.unweightingEfficiency, 3)) / \(e(n.reducedMaximumEfficiency, 3))"
            let ratios = "\(f(n.result.unweightingEfficiency / v.result.unweightingEfficiency, 2)) / \(f(n.reducedMaximumEfficiency / v.reducedMaximumEfficiency, 2))"
            print("| \(points) | \(vegasEfficiencies) | \(nisEfficiencies) | \(ratios) | \(e(n.result.integral, 5)) ± \(e(n.result.error, 2)) |")
            fflush(nil)
        }
        guard json != "none" else { return }
        var study = HeadlineRecord.provenance()
        study["jets"] = 2
        study["seed"] = Int(seed)
        study["combination"] = HeadlineJSONFile.generatorCombination
        study["rows"] = rows
        do { try HeadlineJSONFile(path: json).merge(sampleStudy: study); print("sample-size study written to \(json)") }
        catch { print("writing \(json) failed: \(error)") }
    }
}
