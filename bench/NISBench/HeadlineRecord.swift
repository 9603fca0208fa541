// The headline table as data: one JSON object per seed of a multiplicity, the seeds' median and worst
// NIS/VEGAS ratios, and the sample-size study, in the layout bench/check_headline.py validates. Efficiencies
// come in two definitions on the same events: "bootstrap_median" (median of 100 bootstrap maxima per channel)
// and "reduced_max" (per channel, the smallest w_max whose overweight events carry ≤ 0.1 % of σ), combined over
// channels as the event generator keeps events ("generator", 1/Σ_c s_c/ε_c); "share_weighted_efficiency" holds
// the arithmetic mean Σ_c s_c·ε_c, the combination of the rows written before session 11.
import Foundation
import Integrator

enum HeadlineRecord {
    /// Events over which the set-up (VEGAS warm-up, NIS training) is amortised in the per-CPU-second rates.
    static let amortisedEvents = 1e6

    static func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
    static func optional(_ x: Double?) -> Any { x.map(number) ?? NSNull() }
    static func both(_ bootstrap: Double, _ reduced: Double) -> [String: Any] {
        ["bootstrap_median": number(bootstrap), "reduced_max": number(reduced)]
    }

    static func measurement(_ m: SamplerMeasurement) -> [String: Any] {
        ["sigma_pb": number(m.result.integral), "error_pb": number(m.result.error),
         "evaluation_points": Int(m.result.integrandCalls), "evaluation_cpu_s": number(m.cpuSeconds),
         "efficiency": both(m.result.unweightingEfficiency, m.reducedMaximumEfficiency),
         "share_weighted_efficiency": both(m.result.shareWeightedEfficiency, m.reducedMaximumShareWeightedEfficiency),
         "unweighted_per_cpu_s": both(m.unweightedPerCPUSecond, m.reducedUnweightedPerCPUSecond)]
    }

    static func amortised(_ c: SamplerComparison, _ m: SamplerMeasurement, setupCPUSeconds: Double) -> [String: Any] {
        both(c.amortisedRate(events: amortisedEvents, rate: m.unweightedPerCPUSecond, setupCPUSeconds: setupCPUSeconds),
             c.amortisedRate(events: amortisedEvents, rate: m.reducedUnweightedPerCPUSecond, setupCPUSeconds: setupCPUSeconds))
    }

    /// One training seed's row.
    static func seedRow(seed: UInt64, _ c: SamplerComparison) -> [String: Any] {
        var vegas = measurement(c.vegas.measurement)
        vegas["warmup_calls"] = Int(c.vegas.trainingCalls)
        vegas["warmup_cpu_s"] = number(c.vegas.trainingCPUSeconds)
        vegas["amortised_unweighted_per_cpu_s"] = amortised(c, c.vegas.measurement, setupCPUSeconds: c.vegas.trainingCPUSeconds)
        var nis = measurement(c.nis.measurement)
        nis["training_calls"] = Int(c.nis.trainingCalls)
        nis["training_cpu_s"] = number(c.nis.trainingCPUSeconds)
        nis["amortised_unweighted_per_cpu_s"] = amortised(c, c.nis.measurement, setupCPUSeconds: c.nisSetupCPUSeconds)
        if let selection = c.trainer.selection {
            nis["held_out_points"] = Int(selection.heldOutCalls)
            nis["selected_step"] = c.trainer.selectedStep
            nis["held_out_scores"] = selection.scores.map { [$0.step, number($0.relativeStandardDeviation)] as [Any] }
        }
        return ["seed": Int(seed), "vegas": vegas, "nis": nis, "pull": number(c.pull),
                "ratio": both(c.efficiencyRatio, c.reducedEfficiencyRatio),
                "break_even_events": ["bootstrap_median": optional(c.breakEvenEvents), "reduced_max": optional(c.reducedBreakEvenEvents)]]
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted(), k = s.count / 2
        return s.count % 2 == 1 ? s[k] : 0.5 * (s[k - 1] + s[k])
    }

    /// Median and worst (smallest) NIS/VEGAS ratio over seeds for both definitions, and the largest |pull|.
    static func summary(_ comparisons: [SamplerComparison]) -> [String: Any] {
        func stats(_ r: [Double]) -> [String: Any] { ["median": number(median(r)), "worst": number(r.min() ?? .nan)] }
        return ["ratio": ["bootstrap_median": stats(comparisons.map(\.efficiencyRatio)),
                          "reduced_max": stats(comparisons.map(\.reducedEfficiencyRatio))],
                "largest_abs_pull": number(comparisons.map { abs($0.pull) }.max() ?? .nan)]
    }

    /// The object of multiplicity n.
    static func row(jets n: Int, channels: Int, settings: SamplerComparisonSettings, seeds: [UInt64],
                    comparisons: [SamplerComparison]) -> [String: Any] {
        var row = provenance()
        row["jets"] = n
        row["channels"] = channels
        row["combination"] = HeadlineJSONFile.generatorCombination
        row["measurement_points"] = settings.evaluationPoints
        row["seeds"] = zip(seeds, comparisons).map { seedRow(seed: $0, $1) }
        row["summary"] = summary(comparisons)
        return row
    }

    /// One size of the sample-size study: fresh samples of `points` for the adapted VEGAS and the trained NIS.
    static func studyRow(points: Int, vegas: SamplerMeasurement, nis: SamplerMeasurement) -> [String: Any] {
        func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
        return ["points": points, "vegas": measurement(vegas), "nis": measurement(nis),
                "ratio": both(ratio(nis.result.unweightingEfficiency, vegas.result.unweightingEfficiency),
                              ratio(nis.reducedMaximumEfficiency, vegas.reducedMaximumEfficiency))]
    }

    /// Date, machine and BLAS kernel of a run.
    static func provenance() -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        return ["date": formatter.string(from: Date()), "cpu": cpu, "kernel": kernel,
                "openblas_coretype": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "default"]
    }
}
