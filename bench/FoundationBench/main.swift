// Foundation benchmarks (release build):
//   FoundationBench gemm        GEMM GFLOP/s on the shapes of 64–256-unit MLP layers, batches 1,024–16,384
//   FoundationBench allreduce   (under mpirun) time of one in-place allreduce of 40,000 Floats
import Cluster
import Numerics

setBLASThreads(1)
let mode = CommandLine.arguments.dropFirst().first ?? "gemm"

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

func gemmRate<T: GEMMScalar>(_ type: T.Type, batch: Int, width: Int, clock: Communicator) -> Double {
    var rng = RandomStream(seed: 1)
    let x = Matrix<T>(rows: batch, cols: width, storage: (0..<(batch * width)).map { _ in T(rng.uniform()) })
    let w = Matrix<T>(rows: width, cols: width, storage: (0..<(width * width)).map { _ in T(rng.uniform()) })
    var y = Matrix<T>(rows: batch, cols: width)
    let flops = 2.0 * Double(batch) * Double(width) * Double(width)
    let reps = max(3, Int(2e9 / flops))
    gemm(x, w, into: &y)   // warm-up
    var times: [Double] = []
    for _ in 0..<5 {
        let t0 = clock.wallTime()
        for _ in 0..<reps { gemm(x, w, into: &y) }
        times.append((clock.wallTime() - t0) / Double(reps))
    }
    return flops / median(times) / 1e9
}

switch mode {
case "gemm":
    let clock = SerialCommunicator()
    print("GEMM (batch × width) · (width × width), one OpenBLAS thread, GFLOP/s (median of 5)")
    print("batch   width   Float    Double")
    for batch in [1024, 4096, 16384] {
        for width in [64, 128, 256] {
            let f = gemmRate(Float.self, batch: batch, width: width, clock: clock)
            let d = gemmRate(Double.self, batch: batch, width: width, clock: clock)
            print(pad(String(batch), 8) + pad(String(width), 8) + pad(format1(f), 9) + format1(d))
        }
    }
case "allreduce":
    let comm = MPICommunicator.world
    var buffer = [Float](repeating: 1, count: 40_000)
    for _ in 0..<20 { comm.allreduce(&buffer, .sum) }
    var times: [Double] = []
    for _ in 0..<500 {
        comm.barrier()
        let t0 = comm.wallTime()
        comm.allreduce(&buffer, .sum)
        times.append(comm.wallTime() - t0)
    }
    var worst = [median(times)]
    comm.allreduce(&worst, .max)
    if comm.isRoot { print("allreduce of 40,000 Floats on \(comm.size) ranks: median \(format1(worst[0] * 1e6)) µs (slowest rank's median of 500)") }
    comm.finalize()
default:
    print("usage: FoundationBench gemm | allreduce")
}

func format1(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return String(r)
}

func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
