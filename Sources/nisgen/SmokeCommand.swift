// `nisgen smoke`: a platform check across ranks — allreduce, prefix sums and a collective HDF5 write.
import ArgumentParser
import Cluster
import EventIO
#if canImport(Glibc)
import Glibc
#endif

struct Smoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check MPI collectives and a parallel HDF5 write on all ranks (run under mpirun).")

    @Option(name: .shortAndLong, help: "HDF5 file to write.")
    var output = "out/smoke.h5"

    @Option(help: "Rows each rank writes is (rank + 1) × this.")
    var rowsPerRank = 1000

    func validate() throws {
        guard rowsPerRank >= 0 else { throw ValidationError("--rows-per-rank must be ≥ 0") }
    }

    func run() throws {
        let comm = MPICommunicator.world
        defer { comm.finalize() }
        let n = comm.size, r = comm.rank
        // Σ_r (r+1) = n(n+1)/2 on every rank.
        let total = comm.allreduce(Double(r + 1), .sum)
        let expected = Double(n * (n + 1) / 2)
        let prefix = comm.exclusivePrefixSum(Int64(r + 1))
        let okCollectives = comm.allAgree(total == expected && prefix == Int64(r * (r + 1) / 2))

        let rows = (r + 1) * rowsPerRank
        var values = [Double](repeating: 0, count: rows * 3)
        for i in 0..<rows { values[3 * i] = Double(r); values[3 * i + 1] = Double(i); values[3 * i + 2] = total }
        do {
            let file = try ParallelH5File(creating: output, comm: comm)
            try file.createDataset("smoke", columns: 3)
            try file.setStringAttribute("properties", on: "smoke", values: ["rank", "row", "allreduce"])
            let offset = try file.append("smoke", rows: values)
            let written = file.rowCount("smoke") ?? 0
            let collective = file.allWritesCollective
            try file.close()
            if comm.isRoot {
                print("nisgen smoke: \(n) rank(s); allreduce Σ(rank+1) = \(total) (expected \(expected)); collectives \(okCollectives ? "OK" : "WRONG")")
                print("wrote \(written) rows to \(output) (collective MPI-IO: \(n > 1 ? String(collective) : "n/a, one rank"))")
            }
            _ = offset
        } catch {
            // File creation and writes are collective: every rank fails alike, rank 0 says it once.
            if comm.isRoot { fputs("nisgen smoke: error: \(error)\n", stderr) }
            throw ExitCode(2)
        }
        if !okCollectives { throw ExitCode(1) }
    }
}
