// MPI_COMM_WORLD through the CMPI shim. A binary started without mpirun runs as a singleton: one rank.
import CMPI
#if canImport(Glibc)
import Glibc
#endif

public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    /// The world communicator; initialises MPI on first use.
    public static let world: MPICommunicator = MPICommunicator()

    private init() {
        let rc = cmpi_init()
        if rc != 0 {
            fputs("nisgen: MPI_Init failed with code \(rc)\n", stderr)
            exit(1)
        }
        rank = Int(cmpi_rank())
        size = Int(cmpi_size())
    }

    /// Call once at the end of main: MPI_Finalize.
    public func finalize() { _ = cmpi_finalize() }

    public func barrier() { check(cmpi_barrier(), "MPI_Barrier") }
    public func wallTime() -> Double { cmpi_wtime() }

    private func cop(_ op: ReduceOp) -> cmpi_op {
        switch op {
        case .sum: return CMPI_SUM
        case .max: return CMPI_MAX
        case .min: return CMPI_MIN
        }
    }

    public func allreduce(_ values: inout [Double], _ op: ReduceOp) {
        let n = Int64(values.count)
        check(values.withUnsafeMutableBufferPointer { cmpi_allreduce_double($0.baseAddress, n, cop(op)) }, "MPI_Allreduce")
    }
    public func allreduce(_ values: inout [Float], _ op: ReduceOp) {
        let n = Int64(values.count)
        check(values.withUnsafeMutableBufferPointer { cmpi_allreduce_float($0.baseAddress, n, cop(op)) }, "MPI_Allreduce")
    }
    public func allreduce(_ values: inout [Int64], _ op: ReduceOp) {
        let n = Int64(values.count)
        check(values.withUnsafeMutableBufferPointer { cmpi_allreduce_int64($0.baseAddress, n, cop(op)) }, "MPI_Allreduce")
    }
    public func exclusivePrefixSum(_ value: Int64) -> Int64 { cmpi_exscan_sum_int64(value) }

    public func broadcast(_ bytes: inout [UInt8], root: Int) {
        let n = Int64(bytes.count)
        if n == 0 { return }
        check(bytes.withUnsafeMutableBytes { cmpi_bcast_bytes($0.baseAddress, n, Int32(root)) }, "MPI_Bcast")
    }

    public func gather(_ values: [Double], root: Int) -> [[Double]] {
        var counts64 = [Int64](repeating: 0, count: size)
        check(counts64.withUnsafeMutableBufferPointer { cmpi_gather_int64(Int64(values.count), $0.baseAddress, Int32(root)) }, "MPI_Gather")
        let counts = counts64.map { Int32($0) }
        var displs = [Int32](repeating: 0, count: size)
        if rank == root { for r in 1..<max(size, 1) where r < size { displs[r] = displs[r - 1] + counts[r - 1] } }
        let total = rank == root ? counts.reduce(0) { $0 + Int($1) } : 0
        var recv = [Double](repeating: 0, count: max(total, 1))
        check(values.withUnsafeBufferPointer { send in
            recv.withUnsafeMutableBufferPointer { r in
                counts.withUnsafeBufferPointer { c in
                    displs.withUnsafeBufferPointer { d in
                        cmpi_gatherv_double(send.baseAddress, Int32(values.count), r.baseAddress, c.baseAddress, d.baseAddress, Int32(root))
                    }
                }
            }
        }, "MPI_Gatherv")
        guard rank == root else { return [] }
        return (0..<size).map { r in Array(recv[Int(displs[r])..<Int(displs[r] + counts[r])]) }
    }

    public func abort(_ message: String, code: Int32) -> Never {
        fputs("nisgen[rank \(rank)]: \(message)\n", stderr)
        fflush(nil)
        cmpi_abort(code)
        exit(code)
    }

    private func check(_ rc: Int32, _ what: String) {
        if rc != 0 { abort("\(what) failed with MPI error \(rc)", code: 1) }
    }
}
