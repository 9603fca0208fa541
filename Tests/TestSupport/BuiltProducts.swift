// What the test targets that launch real processes share: where SwiftPM put the built executables, where
// the checkout is, and the environment MPI runs need on these machines.
import Foundation

public enum BuiltProducts {
    /// Folder of the running test binary: SwiftPM puts the built executables next to it.
    public static var folder: URL {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // On Linux the test binary is `<products>/nisgenPackageTests.xctest`; on macOS a bundle.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    /// Repository root: this file is `<root>/Tests/TestSupport/BuiltProducts.swift`.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The checkout's Python environment (h5py, pylhe, pythia8mc).
    public static var python: String { repository.appendingPathComponent(".venv/bin/python").path }

    /// This process's environment plus what mpirun needs here: root allowed, oversubscription, one BLAS thread.
    public static var mpiEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        env["OPENBLAS_NUM_THREADS"] = "1"
        return env
    }
}
