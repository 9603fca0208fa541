// A communicator that forwards to another and adds up the wall time spent in collective calls (waiting for
// slower ranks included): what a training step pays for being distributed.
public final class TimedCommunicator: Communicator, @unchecked Sendable {
    public let base: any Communicator
    /// Seconds inside collectives since creation (or the last `reset`), and how many calls.
    public private(set) var seconds = 0.0
    public private(set) var calls = 0
    /// Bytes this rank contributed to allreduces.
    public private(set) var allreduceBytes = 0

    public init(_ base: any Communicator) { self.base = base }

    public func reset() { seconds = 0; calls = 0; allreduceBytes = 0 }

    @inline(__always)
    private func timed<R>(_ body: () -> R) -> R {
        let t0 = base.wallTime()
        let r = body()
        seconds += base.wallTime() - t0
        calls += 1
        return r
    }

    public var rank: Int { base.rank }
    public var size: Int { base.size }
    public func barrier() { timed { base.barrier() } }
    public func wallTime() -> Double { base.wallTime() }
    public func allreduce(_ values: inout [Double], _ op: ReduceOp) {
        allreduceBytes += 8 * values.count
        let t0 = base.wallTime(); base.allreduce(&values, op); seconds += base.wallTime() - t0; calls += 1
    }
    public func allreduce(_ values: inout [Float], _ op: ReduceOp) {
        allreduceBytes += 4 * values.count
        let t0 = base.wallTime(); base.allreduce(&values, op); seconds += base.wallTime() - t0; calls += 1
    }
    public func allreduce(_ values: inout [Int64], _ op: ReduceOp) {
        allreduceBytes += 8 * values.count
        let t0 = base.wallTime(); base.allreduce(&values, op); seconds += base.wallTime() - t0; calls += 1
    }
    public func exclusivePrefixSum(_ value: Int64) -> Int64 { timed { base.exclusivePrefixSum(value) } }
    public func broadcast(_ bytes: inout [UInt8], root: Int) {
        let t0 = base.wallTime(); base.broadcast(&bytes, root: root); seconds += base.wallTime() - t0; calls += 1
    }
    public func gather(_ values: [Double], root: Int) -> [[Double]] { timed { base.gather(values, root: root) } }
    public func abort(_ message: String, code: Int32) -> Never { base.abort(message, code: code) }
}
