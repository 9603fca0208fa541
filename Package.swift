// swift-tools-version:6.0
// nisgen — neural multi-channel importance sampling and LHC event generation on MPI clusters.
import PackageDescription
import Foundation

let package = Package(
    name: "nisgen",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nisgen", targets: ["nisgen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // ---- C layer: system libraries through pkg-config, and the shim for what Swift cannot import.
        .systemLibrary(name: "CSystemMPI", path: "CMPI/SystemMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CSystemHDF5", path: "CMPI/SystemHDF5", pkgConfig: "hdf5-openmpi",
                       providers: [.apt(["libhdf5-openmpi-dev"])]),
        .systemLibrary(name: "CSystemOpenBLAS", path: "CMPI/SystemOpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CMPI", dependencies: ["CSystemMPI", "CSystemHDF5"], path: "CMPI/Shim"),

        // ---- Swift modules, one idea each.
        .target(name: "Numerics", dependencies: ["CSystemOpenBLAS"]),
        .target(name: "Cluster", dependencies: ["CMPI"]),
        .target(name: "EventIO", dependencies: ["CMPI", "Cluster", "Numerics"]),
        .target(name: "Kinematics"),
        .target(name: "Flows", dependencies: ["Numerics"]),
        .target(name: "Integrator", dependencies: ["Numerics", "Flows", "Cluster", "EventIO"]),
        .target(name: "PDF", dependencies: []),
        .target(name: "Amplitudes", dependencies: ["Kinematics"]),
        .target(name: "PhaseSpace", dependencies: ["Kinematics", "Numerics"]),
        .target(name: "HeadlineSettings", dependencies: ["Integrator", "Flows"]),
        .target(name: "Physics", dependencies: ["Kinematics", "PDF", "Amplitudes", "PhaseSpace", "Numerics", "EventIO"]),
        .target(name: "Report", dependencies: ["EventIO", "Numerics", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "nisgen", dependencies: [
            "Numerics", "Cluster", "EventIO", "Kinematics", "Flows", "Integrator",
            "PDF", "Amplitudes", "PhaseSpace", "Physics", "Report", "HeadlineSettings",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // ---- Benchmarks (run in release: `make bench`).
        .executableTarget(name: "EngineBench", dependencies: ["Cluster", "EventIO", "Numerics"], path: "bench/EngineBench"),
        .executableTarget(name: "FoundationBench", dependencies: ["Numerics", "Cluster"], path: "bench/FoundationBench"),
        .executableTarget(name: "NISBench", dependencies: ["Numerics", "Flows", "Integrator", "Cluster", "Kinematics", "PDF",
                                                          "Amplitudes", "PhaseSpace", "Physics", "HeadlineSettings"], path: "bench/NISBench"),
        .executableTarget(name: "PhysicsBench", dependencies: ["Numerics", "Kinematics", "PDF", "Amplitudes", "PhaseSpace", "Physics",
                                                             "Integrator", "Flows", "Cluster"], path: "bench/PhysicsBench"),

        // ---- Tests. MPIProbe is an executable the cluster tests launch under real mpirun.
        .executableTarget(name: "MPIProbe", dependencies: ["Cluster", "EventIO", "Numerics"], path: "Tests/MPIProbe"),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "EventIO", "Numerics", "MPIProbe", "TestSupport"]),
        .testTarget(name: "EventIOTests", dependencies: ["EventIO", "Cluster", "Numerics", "MPIProbe"]),
        .testTarget(name: "FlowsTests", dependencies: ["Flows", "Numerics"]),
        .testTarget(name: "IntegratorTests", dependencies: ["Integrator", "Flows", "Numerics", "Cluster", "Physics", "PDF",
                                                    "Amplitudes", "PhaseSpace", "Kinematics"]),
        .testTarget(name: "EngineTests", dependencies: ["nisgen", "Integrator", "EventIO", "Flows", "Numerics", "TestSupport"],
                    exclude: ["check_events.py", "corrupt_events.py"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Kinematics", "PDF", "Amplitudes", "PhaseSpace", "Physics", "Numerics",
                                                 "Integrator", "Flows", "Cluster"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "EventIO", "Numerics"]),
        .testTarget(name: "SlurmTests", dependencies: ["TestSupport"]),
        // Fuzzing of every input format; Corpus/ holds the inputs that once failed (replayed, not compiled).
        .testTarget(name: "FuzzTests", dependencies: ["nisgen", "Integrator", "EventIO", "PDF", "TestSupport"], exclude: ["Corpus"]),
    ],
    swiftLanguageModes: [.v5]
)

// Release builds use AVX2 vector code when the building machine has AVX2, FMA and BMI2 (every x86 node since
// Haswell, 2013): the spline and softmax loops then run 4 doubles wide instead of SSE2's 2, ~20 % more flow
// points per CPU second, with bit-identical results (Swift does not contract a·b + c into FMAs, so every
// rounding stays the same). NISGEN_PORTABLE=1 builds for any x86-64 (e.g. for older nodes than the login node's).
let buildHostHasAVX2: Bool = {
    guard ProcessInfo.processInfo.environment["NISGEN_PORTABLE"] != "1",
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    return ["avx2", "fma", "bmi2"].allSatisfy(flags.contains)
}()
if buildHostHasAVX2 {
    for target in package.targets where target.type != .system {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]
    }
}
