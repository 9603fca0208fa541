// The one reduction interface everything global passes through: gradients of the channel-weight network,
// per-channel statistics, cross sections, event counts and file offsets.

/// Reduction operations for allreduce.
public enum ReduceOp: Sendable { case sum, max, min }

/// Collective operations over a group of ranks. `SerialCommunicator` is the one-rank case without MPI;
/// `MPICommunicator` runs over MPI_COMM_WORLD.
public protocol Communicator: AnyObject, Sendable {
    var rank: Int { get }
    var size: Int { get }
    func barrier()
    /// Seconds since an arbitrary origin, comparable between calls on one rank.
    func wallTime() -> Double
    func allreduce(_ values: inout [Double], _ op: ReduceOp)
    func allreduce(_ values: inout [Float], _ op: ReduceOp)
    func allreduce(_ values: inout [Int64], _ op: ReduceOp)
    /// Σ of `value` over ranks below this one (0 on rank 0).
    func exclusivePrefixSum(_ value: Int64) -> Int64
    /// Root's bytes replace everyone's; every rank must pass a buffer of the same length.
    func broadcast(_ bytes: inout [UInt8], root: Int)
    /// Rank `root` receives every rank's array, in rank order; other ranks receive [].
    func gather(_ values: [Double], root: Int) -> [[Double]]
    /// End the whole job: prints the message on this rank's stderr and aborts all ranks.
    func abort(_ message: String, code: Int32) -> Never
}

public extension Communicator {
    var isRoot: Bool { rank == 0 }

    func allreduce(_ value: Double, _ op: ReduceOp) -> Double {
        var v = [value]; allreduce(&v, op); return v[0]
    }
    func allreduce(_ value: Int64, _ op: ReduceOp) -> Int64 {
        var v = [value]; allreduce(&v, op); return v[0]
    }
    func broadcast(_ values: inout [Double], root: Int) {
        var bytes = values.withUnsafeBytes { Array($0) }
        broadcast(&bytes, root: root)
        values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }
    func broadcast(_ values: inout [Float], root: Int) {
        var bytes = values.withUnsafeBytes { Array($0) }
        broadcast(&bytes, root: root)
        values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
    /// Broadcast a string of unknown length from root (length first, then bytes).
    func broadcast(_ text: String, root: Int) -> String {
        var length = [Double(rank == root ? text.utf8.count : 0)]
        broadcast(&length, root: root)
        var bytes = rank == root ? Array(text.utf8) : [UInt8](repeating: 0, count: Int(length[0]))
        broadcast(&bytes, root: root)
        return String(decoding: bytes, as: UTF8.self)
    }
    /// Broadcast an array of unknown length from root (length first, then values).
    func broadcastArray(_ values: [Double], root: Int) -> [Double] {
        var length = [Double(rank == root ? values.count : 0)]
        broadcast(&length, root: root)
        var out = rank == root ? values : [Double](repeating: 0, count: Int(length[0]))
        if !out.isEmpty { broadcast(&out, root: root) }
        return out
    }
    /// True on every rank when `flag` is true on every rank: lets all ranks fail together with one message.
    func allAgree(_ flag: Bool) -> Bool {
        allreduce(Int64(flag ? 1 : 0), .min) == 1
    }
}
