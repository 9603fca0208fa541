// bench/results/headline.json, updated in place: a run of some multiplicities replaces their objects and keeps
// the others (HEADLINE_JETS=2 refreshes n = 2 only); the sample-size study replaces its own entry.
import Foundation

struct HeadlineJSONFile {
    static let schema = "nisgen-headline/1"
    /// How a row combines the channels' efficiencies (its "combination"; rows without one are share-weighted).
    static let generatorCombination = "generator"
    static let combinations = [
        generatorCombination: "1 / sum_c(s_c / eps_c): the fraction of trials the event generator keeps when it picks channel c with probability w_max,c / sum(w_max) (s_c = |I_c| / sum|I|, eps_c = <|w|>_c / w_max,c)",
        "share_weighted": "sum_c s_c * eps_c (rows written before session 11; overstates the generator's efficiency when the channels' eps differ)"]
    let path: String

    /// The file's top-level object, or a fresh one when it does not exist yet.
    func load() throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: path) else { return fresh() }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HeadlineFileError("\(path) does not hold a JSON object")
        }
        return object
    }

    func fresh() -> [String: Any] {
        ["schema": Self.schema,
         "max_weight_policies": [
            "bootstrap_median": "per channel, median of 100 bootstrap maxima of the measurement's weights",
            "reduced_max": "per channel, the smallest w_max with sum(|w| : |w| > w_max) <= 1e-3 * sum(|w|)"],
         "combinations": Self.combinations,
         "amortised_events": HeadlineRecord.amortisedEvents,
         "rows": [Any]()]
    }

    /// Replace the objects of the multiplicities in `rows` (kept sorted by n).
    func merge(rows: [[String: Any]]) throws {
        var file = try load()
        let replaced = Set(rows.compactMap { $0["jets"] as? Int })
        var all = (file["rows"] as? [[String: Any]] ?? []).filter { !replaced.contains(($0["jets"] as? Int) ?? -1) }
        all += rows
        all.sort { (($0["jets"] as? Int) ?? 0) < (($1["jets"] as? Int) ?? 0) }
        file["rows"] = all
        try save(labelled(file))
    }

    func merge(sampleStudy: [String: Any]) throws {
        var file = try load()
        file["sample_size_study"] = sampleStudy
        try save(labelled(file))
    }

    /// The file with the combinations described at the top (older files had one "combination" for all rows).
    func labelled(_ file: [String: Any]) -> [String: Any] {
        var file = file
        file.removeValue(forKey: "combination")
        file["combinations"] = Self.combinations
        return file
    }

    func save(_ file: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: file, options: [.prettyPrinted, .sortedKeys])
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

struct HeadlineFileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
