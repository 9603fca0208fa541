// NIS benchmarks (release build, one thread): `swift run -c release NISBench <name>`.
import Numerics

setBLASThreads(1)
let args = CommandLine.arguments.dropFirst()
let which = args.first ?? "all"
let table: [(String, () -> Void)] = [
    ("flow", FlowThroughputBench.run),
    ("gaussians", GaussianMixtureBench.run),
    ("wjets", WJetsHeadlineBench.run),
]
var ran = false
for (name, body) in table where which == "all" || which == name { body(); ran = true }
if !ran { print("unknown benchmark '\(which)'; choose from: all, " + table.map { $0.0 }.joined(separator: ", ")) }
