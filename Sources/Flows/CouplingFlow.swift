// Normalizing flow on the unit hypercube built from rational-quadratic spline coupling blocks
// (Durkan et al. arXiv:1906.04032; MadNIS, Heimel et al. arXiv:2212.06172). The density direction
// x → r (`logDensity`) is the one that is trained, so it uses the explicit spline formula and carries the
// backward pass; sampling r → x inverts the splines in reverse block order and needs no gradients.
import Numerics

/// One coupling block: a network from the conditioning dimensions (and external condition) to the
/// spline parameters of the transformed dimensions.
final class CouplingBlock<T: GEMMScalar> {
    let layout: CouplingLayout
    let net: MLP<T>
    init(layout: CouplingLayout, net: MLP<T>) { self.layout = layout; self.net = net }
}

/// Rows per slice of the gradient-free passes (`CouplingFlow.inverse`, `.sample`). At W + 4 jets, density-aware
/// channel weights run all 22 flows (8 blocks each) over every point of a 30k-point measurement: unsliced, the
/// networks' inference buffers held ~8 GB (heaptrack); slices of 4,096 rows bound them to ~1.3 GB. 4,096 is the
/// largest default training batch, so training passes are not sliced: the GEMMs' rounding depends on the row
/// count at the last bit, and slicing them would change every training trajectory.
let inferenceSliceRows = 4096

public final class CouplingFlow<T: GEMMScalar> {
    public let dimension: Int
    public let conditionDimension: Int
    public let config: FlowConfig
    let spline: SplineConstraints
    let blocks: [CouplingBlock<T>]

    // Cache of the last `logDensity` for `backwardLogDensity`: the input of every block; each block's network
    // output (kept by its MLP) holds the spline parameters with the bin softmax already applied.
    private var cachedRows = -1
    private var blockInputs: [[T]]
    private var netInput: [T] = []
    private var dRaw: [T] = []
    private var dNetInput: [T] = []
    private var gradX: [Double] = []
    private var logDet: [Double] = []
    private var work: [T] = []
    private var scratch: [Double]

    public init(dimension: Int, conditionDimension: Int = 0, config: FlowConfig = FlowConfig(), seed: UInt64) {
        if let p = config.problem(dimension: dimension) { preconditionFailure("CouplingFlow: \(p)") }
        precondition(conditionDimension >= 0, "CouplingFlow: conditionDimension must be ≥ 0")
        self.dimension = dimension
        self.conditionDimension = conditionDimension
        self.config = config
        spline = SplineConstraints(bins: config.bins, minWidth: config.minBinWidth, minHeight: config.minBinHeight,
                                   minDerivative: config.minDerivative)
        var rng = RandomStream(seed: seed, stream: 0xF10)
        var bs: [CouplingBlock<T>] = []
        for tr in config.transformedDimensions(dimension: dimension) {
            let cond = (0..<dimension).filter { !tr.contains($0) }
            let layout = CouplingLayout(dimension: dimension, transformed: tr, conditioning: cond,
                                        conditionDimension: conditionDimension, spline: spline)
            let net = MLP<T>(inputs: layout.netInputs, hidden: Array(repeating: config.hiddenUnits, count: config.hiddenLayers),
                             outputs: layout.netOutputs, activation: config.activation, zeroInitLastLayer: true, rng: &rng)
            bs.append(CouplingBlock(layout: layout, net: net))
        }
        blocks = bs
        blockInputs = Array(repeating: [], count: bs.count)
        scratch = [Double](repeating: 0, count: spline.scratchCount)
    }

    /// Number of coupling blocks.
    public var blockCount: Int { blocks.count }
    /// The dimensions coupling block b transforms.
    public func transformedDimensions(block b: Int) -> [Int] { blocks[b].layout.transformed }

    // MARK: parameters

    public var parameterCount: Int { blocks.reduce(0) { $0 + $1.net.parameterCount } }

    /// All network parameters, block after block.
    public var parameters: [T] {
        get {
            var p: [T] = []
            p.reserveCapacity(parameterCount)
            for b in blocks { p.append(contentsOf: b.net.parameters) }
            return p
        }
        set {
            precondition(newValue.count == parameterCount, "CouplingFlow.parameters: \(newValue.count) values, expected \(parameterCount)")
            var off = 0
            for b in blocks {
                let c = b.net.parameterCount
                b.net.parameters = Array(newValue[off..<(off + c)])
                off += c
            }
        }
    }

    /// Accumulated ∂L/∂parameters, same layout as `parameters`.
    public var gradients: [T] {
        var g: [T] = []
        g.reserveCapacity(parameterCount)
        for b in blocks { g.append(contentsOf: b.net.gradients) }
        return g
    }

    public func zeroGradients() { for b in blocks { b.net.zeroGradients() } }

    /// Replace the accumulated gradients (e.g. by their sum over the ranks that share this flow).
    public func setGradients(_ g: [T]) {
        precondition(g.count == parameterCount, "CouplingFlow.setGradients: \(g.count) values, expected \(parameterCount)")
        var off = 0
        for b in blocks {
            let c = b.net.parameterCount
            b.net.gradients = Array(g[off..<(off + c)])
            off += c
        }
    }

    public func serializedParameters() -> [T] { parameters }

    public func load(parameters p: [T]) throws {
        guard p.count == parameterCount else { throw FlowError.parameterCountMismatch(expected: parameterCount, got: p.count) }
        guard p.allSatisfy({ $0.isFinite }) else { throw FlowError.invalidConfiguration("parameters contain NaN or infinity") }
        parameters = p
    }

    // MARK: passes

    private func checkShapes(_ x: Matrix<T>, _ condition: Matrix<T>?, _ what: String) {
        precondition(x.cols == dimension, "CouplingFlow.\(what): points have \(x.cols) columns, expected \(dimension)")
        if conditionDimension > 0 {
            guard let c = condition else { preconditionFailure("CouplingFlow.\(what): a condition (\(conditionDimension) columns) is required") }
            precondition(c.rows == x.rows && c.cols == conditionDimension,
                         "CouplingFlow.\(what): condition is \(c.rows)x\(c.cols), expected \(x.rows)x\(conditionDimension)")
        }
    }

    /// Build block b's network input from the current points into `netInput`.
    private func gather(_ b: CouplingBlock<T>, _ cur: UnsafePointer<T>, _ condition: Matrix<T>?, _ n: Int) {
        reserveScratch(&netInput, n * b.layout.netInputs)
        guard n * b.layout.netInputs > 0 else { return }
        netInput.withUnsafeMutableBufferPointer { net in
            if conditionDimension > 0, let condition {
                condition.storage.withUnsafeBufferPointer { c in
                    gatherNetInput(b.layout, x: cur, condition: c.baseAddress, rows: n, into: net.baseAddress!)
                }
            } else {
                gatherNetInput(b.layout, x: cur, condition: nil, rows: n, into: net.baseAddress!)
            }
        }
    }

    /// Density direction x → r with log|det ∂r/∂x| (left in `work` and `logDet`); when `cache`, keeps what
    /// the backward pass needs.
    private func densityPass(_ x: Matrix<T>, _ condition: Matrix<T>?, cache: Bool) {
        checkShapes(x, condition, "logDensity")
        let n = x.rows, nd = x.rows * dimension
        if cache { cachedRows = n }
        if n == 0 { return }
        reserveScratch(&work, nd)
        x.storage.withUnsafeBufferPointer { src in
            work.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src.baseAddress!, count: nd) }
        }
        if logDet.count < n { logDet = [Double](repeating: 0, count: n) }
        logDet.withUnsafeMutableBufferPointer { for i in 0..<n { $0[i] = 0 } }
        for (bi, b) in blocks.enumerated() {
            if cache {
                reserveScratch(&blockInputs[bi], nd)
                work.withUnsafeBufferPointer { src in
                    blockInputs[bi].withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src.baseAddress!, count: nd) }
                }
            }
            work.withUnsafeBufferPointer { gather(b, $0.baseAddress!, condition, n) }
            let run: (UnsafeMutablePointer<T>) -> Void = { raw in
                self.work.withUnsafeMutableBufferPointer { xs in
                    self.logDet.withUnsafeMutableBufferPointer { ld in
                        self.scratch.withUnsafeMutableBufferPointer { s in
                            couplingForward(b.layout, raw: raw, x: xs.baseAddress!, rows: n, logDet: ld.baseAddress!,
                                            scratch: s.baseAddress!, cacheProbabilities: cache)
                        }
                    }
                }
            }
            withConditionerOutput(b, rows: n, cache: cache, run)
        }
    }

    /// Runs block `b`'s conditioner on `netInput` and hands the raw spline parameters to `body`: the training
    /// forward (kept for the backward pass) when `cache`, otherwise the cheaper inference, whose output the
    /// spline kernels only read.
    private func withConditionerOutput(_ b: CouplingBlock<T>, rows n: Int, cache: Bool,
                                       _ body: (UnsafeMutablePointer<T>) -> Void) {
        netInput.withUnsafeBufferPointer { net in
            if cache {
                b.net.forward(x: net.baseAddress, rows: n)
                b.net.withMutableOutput { body($0.baseAddress!) }
            } else {
                b.net.infer(x: net.baseAddress, rows: n) { body(UnsafeMutablePointer(mutating: $0.baseAddress!)) }
            }
        }
    }

    /// log q(x) = log|det ∂r/∂x| for a batch of points in (0,1)^d; caches for `backwardLogDensity`.
    public func logDensity(_ x: Matrix<T>, condition: Matrix<T>? = nil) -> [T] {
        densityPass(x, condition, cache: true)
        return convertFromDouble(logDet, count: x.rows)
    }

    /// x → r with log|det ∂r/∂x| (= log q(x)); leaves the training cache alone.
    public func inverse(_ x: Matrix<T>, condition: Matrix<T>? = nil) -> (r: Matrix<T>, logDetJ: [T]) {
        checkShapes(x, condition, "inverse")
        return inSlices(x, condition) { xs, cs in
            densityPass(xs, cs, cache: false)
            let n = xs.rows
            return (Matrix(rows: n, cols: dimension, storage: copyPrefix(work, count: n * dimension)), convertFromDouble(logDet, count: n))
        }
    }

    /// Map uniform latent points r ∈ (0,1)^d to x, with log q(x) = −log|det ∂x/∂r|. Keeps no gradient state.
    public func sample(latent r: Matrix<T>, condition: Matrix<T>? = nil) -> (x: Matrix<T>, logDensity: [T]) {
        checkShapes(r, condition, "sample")
        return inSlices(r, condition) { samplePass($0, $1, cache: false) }
    }

    /// A gradient-free pass over at most `inferenceSliceRows` rows at a time, results stacked in row order.
    /// Every network keeps its inference buffers at the largest batch it has seen, so one pass over all points
    /// of a measurement would pin that much memory in every block of every channel's flow. Rows are
    /// independent: slicing changes values only by the GEMMs' last-bit rounding.
    private func inSlices(_ x: Matrix<T>, _ condition: Matrix<T>?,
                          _ pass: (Matrix<T>, Matrix<T>?) -> (Matrix<T>, [T])) -> (Matrix<T>, [T]) {
        let n = x.rows, slice = inferenceSliceRows
        if n <= slice { return pass(x, condition) }
        var points = [T](), values = [T]()
        points.reserveCapacity(n * dimension)
        values.reserveCapacity(n)
        for start in stride(from: 0, to: n, by: slice) {
            let end = min(start + slice, n)
            let xs = Matrix(rows: end - start, cols: dimension, storage: Array(x.storage[(start * dimension)..<(end * dimension)]))
            let cs = condition.map { c in
                Matrix(rows: end - start, cols: c.cols, storage: Array(c.storage[(start * c.cols)..<(end * c.cols)]))
            }
            let (p, v) = pass(xs, cs)
            points.append(contentsOf: p.storage)
            values.append(contentsOf: v)
        }
        return (Matrix(rows: n, cols: dimension, storage: points), values)
    }

    /// `sample`, keeping what `backwardLogDensity` needs as if `logDensity(x)` had been called on the returned
    /// points: on-policy training (sample, evaluate f, back-propagate log q) then skips the second pass x → r.
    /// The network inputs are the conditioning coordinates, which are the same in both directions, and the
    /// block inputs x⁽ᵇ⁾ are exactly what the inverse pass produces.
    public func sampleForTraining(latent r: Matrix<T>, condition: Matrix<T>? = nil) -> (x: Matrix<T>, logDensity: [T]) {
        samplePass(r, condition, cache: true)
    }

    private func samplePass(_ r: Matrix<T>, _ condition: Matrix<T>?, cache: Bool) -> (x: Matrix<T>, logDensity: [T]) {
        checkShapes(r, condition, "sample")
        let n = r.rows, nd = r.rows * dimension
        if cache { cachedRows = n }
        var cur = r
        if n == 0 { return (cur, []) }
        var ld = [Double](repeating: 0, count: n)
        for bi in stride(from: blocks.count - 1, through: 0, by: -1) {
            let b = blocks[bi]
            cur.storage.withUnsafeBufferPointer { gather(b, $0.baseAddress!, condition, n) }
            let run: (UnsafeMutablePointer<T>) -> Void = { raw in
                cur.storage.withUnsafeMutableBufferPointer { ys in
                    ld.withUnsafeMutableBufferPointer { l in
                        self.scratch.withUnsafeMutableBufferPointer { s in
                            couplingInverse(b.layout, raw: raw, y: ys.baseAddress!, rows: n, logDet: l.baseAddress!,
                                            scratch: s.baseAddress!, cacheProbabilities: cache)
                        }
                    }
                }
            }
            withConditionerOutput(b, rows: n, cache: cache, run)
            if cache {
                // After inverting block bi, `cur` is that block's input in the density direction.
                reserveScratch(&blockInputs[bi], nd)
                cur.storage.withUnsafeBufferPointer { src in
                    blockInputs[bi].withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src.baseAddress!, count: nd) }
                }
            }
        }
        return (cur, convertFromDouble(ld, count: n))
    }

    /// Accumulate into `gradients` the gradient of Σ_i dLogQ[i]·log q(x_i) for the points of the last `logDensity`
    /// (or `sampleForTraining`) call.
    public func backwardLogDensity(_ dLogQ: [T]) {
        let n = cachedRows
        precondition(n >= 0, "CouplingFlow.backwardLogDensity: call logDensity or sampleForTraining first")
        precondition(dLogQ.count == n, "CouplingFlow.backwardLogDensity: \(dLogQ.count) values for a batch of \(n)")
        if n == 0 { return }
        if gradX.count < n * dimension { gradX = [Double](repeating: 0, count: n * dimension) }
        gradX.withUnsafeMutableBufferPointer { for i in 0..<(n * dimension) { $0[i] = 0 } }
        for bi in stride(from: blocks.count - 1, through: 0, by: -1) {
            let b = blocks[bi]
            reserveScratch(&dRaw, n * b.layout.netOutputs)
            b.net.withOutput { raw in
                blockInputs[bi].withUnsafeBufferPointer { x in
                    gradX.withUnsafeMutableBufferPointer { gx in
                        dLogQ.withUnsafeBufferPointer { gl in
                            dRaw.withUnsafeMutableBufferPointer { dr in
                                scratch.withUnsafeMutableBufferPointer { s in
                                    couplingBackward(b.layout, raw: raw.baseAddress!, x: x.baseAddress!, rows: n,
                                                     gradX: gx.baseAddress!, gl: gl.baseAddress!, dRaw: dr.baseAddress!,
                                                     scratch: s.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
            // The first block's input gradient is not needed; conditioning columns of later blocks are.
            let wantInput = bi > 0 && !b.layout.conditioning.isEmpty
            reserveScratch(&dNetInput, n * b.layout.netInputs)
            dRaw.withUnsafeBufferPointer { dr in
                dNetInput.withUnsafeMutableBufferPointer { dn in
                    b.net.backward(dOutput: dr.baseAddress!, dInput: wantInput ? dn.baseAddress : nil)
                }
            }
            if wantInput {
                dNetInput.withUnsafeBufferPointer { dn in
                    gradX.withUnsafeMutableBufferPointer { gx in
                        scatterNetInputGradient(b.layout, dNet: dn.baseAddress!, rows: n, gradX: gx.baseAddress!)
                    }
                }
            }
        }
    }
}
