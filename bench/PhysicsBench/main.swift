// Physics benchmarks (release build, one thread): `swift run -c release PhysicsBench <name>`.
import Numerics

setBLASThreads(1)
let args = CommandLine.arguments.dropFirst()
let which = args.first ?? "all"
let table: [(String, () -> Void)] = [
    ("pdf", PDFBench.run),
    ("me", MatrixElementBench.run),
    ("xsec", CrossSectionBench.run),
]
var ran = false
for (name, body) in table where which == "all" || which == name { body(); ran = true }
if !ran { print("unknown benchmark '\(which)'; choose from: all, " + table.map { $0.0 }.joined(separator: ", ")) }
