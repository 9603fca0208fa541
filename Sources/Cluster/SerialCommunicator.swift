// The one-rank communicator: every collective is the identity. Used in unit tests and single-process runs.
#if canImport(Glibc)
import Glibc
#endif

public final class SerialCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func barrier() {}
    public func wallTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
    public func allreduce(_ values: inout [Double], _ op: ReduceOp) {}
    public func allreduce(_ values: inout [Float], _ op: ReduceOp) {}
    public func allreduce(_ values: inout [Int64], _ op: ReduceOp) {}
    public func exclusivePrefixSum(_ value: Int64) -> Int64 { 0 }
    public func broadcast(_ bytes: inout [UInt8], root: Int) {}
    public func gather(_ values: [Double], root: Int) -> [[Double]] { [values] }
    public func abort(_ message: String, code: Int32) -> Never {
        fputs("nisgen: \(message)\n", stderr)
        exit(code)
    }
}
