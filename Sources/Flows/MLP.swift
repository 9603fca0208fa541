// Fully connected network with a hand-written backward pass. All weights and biases live in one flat
// array (layer by layer: W row-major in×out, then b), so optimizers and MPI reductions see one vector and
// GEMM addresses layers by offset. Forward caches the activations the backward pass needs; the buffers
// are reused across calls and only grow when the batch grows.
import Numerics

public final class MLP<T: GEMMScalar> {
    public let inputs: Int
    public let outputs: Int
    public let hidden: [Int]
    public let activation: Activation
    /// Layer widths including input and output: [inputs, hidden..., outputs].
    let widths: [Int]
    /// Offsets of W_l and b_l inside `parameters`.
    let weightOffset: [Int]
    let biasOffset: [Int]

    /// All weights and biases, flat. Setting it requires the same count (use `load(parameters:)` to get an error instead).
    public var parameters: [T] {
        didSet { precondition(parameters.count == parameterCount, "MLP.parameters: wrong count \(parameters.count), expected \(parameterCount)") }
    }
    /// dL/dparameters, accumulated by `backward` until `zeroGradients()`.
    public var gradients: [T]
    public var parameterCount: Int { weightOffset.isEmpty ? 0 : biasOffset[biasOffset.count - 1] + outputs }

    /// Buffers of one forward pass: acts[l] is the input of layer l (acts[0] = x), pre[l] the
    /// pre-activation of hidden layer l, out the network output.
    struct Workspace {
        var acts: [[T]]
        var pre: [[T]]
        var out: [T] = []
        init(layers: Int) { acts = Array(repeating: [], count: layers); pre = Array(repeating: [], count: layers) }
    }
    /// Forward state kept for `backward` (training) and a separate one for gradient-free inference,
    /// so sampling between a forward and its backward does not corrupt the cache.
    private var train: Workspace
    private var inference: Workspace
    private var batch = 0
    private var gradA: [T] = []
    private var gradB: [T] = []

    public init(inputs: Int, hidden: [Int], outputs: Int, activation: Activation, zeroInitLastLayer: Bool,
                rng: inout RandomStream) {
        precondition(inputs >= 0 && outputs > 0 && hidden.allSatisfy { $0 > 0 }, "MLP: invalid layer sizes")
        self.inputs = inputs
        self.outputs = outputs
        self.hidden = hidden
        self.activation = activation
        widths = [inputs] + hidden + [outputs]
        var wo: [Int] = [], bo: [Int] = []
        var off = 0
        for l in 0..<(widths.count - 1) {
            wo.append(off); off += widths[l] * widths[l + 1]
            bo.append(off); off += widths[l + 1]
        }
        weightOffset = wo
        biasOffset = bo
        parameters = [T](repeating: 0, count: off)
        gradients = [T](repeating: 0, count: off)
        train = Workspace(layers: widths.count - 1)
        inference = Workspace(layers: widths.count - 1)
        // He/Kaiming uniform weights (Var = gain²/fan_in), PyTorch-style uniform biases ±1/√fan_in;
        // the last layer is linear, so it gets gain 1 (Xavier-like) unless zeroed.
        for l in 0..<(widths.count - 1) {
            let fanIn = widths[l], fanOut = widths[l + 1]
            let last = l == widths.count - 2
            if last && zeroInitLastLayer { continue }
            let gain = last ? 1.0 : activation.initGain
            let bound = fanIn > 0 ? gain * (3.0 / Double(fanIn)).squareRoot() : 0
            let bBound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
            for i in 0..<(fanIn * fanOut) { parameters[wo[l] + i] = T((2 * rng.uniform() - 1) * bound) }
            for i in 0..<fanOut { parameters[bo[l] + i] = T((2 * rng.uniform() - 1) * bBound) }
        }
    }

    public var layerCount: Int { widths.count - 1 }

    /// Replace all parameters, checking the count.
    public func load(parameters p: [T]) throws {
        guard p.count == parameterCount else { throw FlowError.parameterCountMismatch(expected: parameterCount, got: p.count) }
        parameters = p
    }

    public func zeroGradients() {
        gradients.withUnsafeMutableBufferPointer { g in if let b = g.baseAddress { setZero(b, count: g.count) } }
    }

    /// Set the weights of the last layer to zero and its biases to `bias` (used to start a flow at a given map).
    func setLastLayer(bias: [T]) {
        precondition(bias.count == outputs)
        let l = layerCount - 1
        for i in 0..<(widths[l] * outputs) { parameters[weightOffset[l] + i] = 0 }
        for i in 0..<outputs { parameters[biasOffset[l] + i] = bias[i] }
    }

    /// Forward pass on a batch (rows); caches the intermediate values for `backward`.
    public func forward(_ x: Matrix<T>) -> Matrix<T> {
        precondition(x.cols == inputs, "MLP.forward: input has \(x.cols) columns, expected \(inputs)")
        x.storage.withUnsafeBufferPointer { forward(x: $0.baseAddress, rows: x.rows) }
        return Matrix(rows: x.rows, cols: outputs, storage: copyPrefix(train.out, count: x.rows * outputs))
    }

    /// Forward on a raw n×inputs buffer, caching for `backward`; the result stays in an internal buffer (`withOutput`).
    func forward(x: UnsafePointer<T>?, rows n: Int) {
        batch = n
        run(x: x, rows: n, &train)
    }

    /// Forward without touching the training cache; `body` sees the n×outputs result.
    func infer<R>(x: UnsafePointer<T>?, rows n: Int, _ body: (UnsafeBufferPointer<T>) -> R) -> R {
        run(x: x, rows: n, &inference)
        return inference.out.withUnsafeBufferPointer(body)
    }

    // Layer inputs are stored with an extra column of ones (row stride fin + 1). W_l (fin × fout) and b_l
    // are contiguous in `parameters`, i.e. one (fin + 1) × fout matrix, so a single GEMM computes a·W + b
    // and, in the backward pass, a single GEMM accumulates both dW and db (the ones column sums dz).
    private func run(x: UnsafePointer<T>?, rows n: Int, _ ws: inout Workspace) {
        if n == 0 { return }
        reserveScratch(&ws.acts[0], n * (inputs + 1))
        ws.acts[0].withUnsafeMutableBufferPointer { a in
            copyRowsAppendingOne(x, rows: n, width: inputs, into: a.baseAddress!)
        }
        let L = layerCount
        parameters.withUnsafeBufferPointer { pp in
            let p = pp.baseAddress!
            for l in 0..<L {
                let fin = widths[l], fout = widths[l + 1]
                let wb = p + weightOffset[l]
                if l == L - 1 {
                    reserveScratch(&ws.out, n * fout)
                    ws.acts[l].withUnsafeBufferPointer { a in
                        ws.out.withUnsafeMutableBufferPointer { z in
                            rawGEMM(m: n, n: fout, k: fin + 1, a: a.baseAddress!, lda: fin + 1, b: wb, ldb: fout,
                                    beta: 0, c: z.baseAddress!, ldc: fout)
                        }
                    }
                } else {
                    reserveScratch(&ws.pre[l], n * fout)
                    reserveScratch(&ws.acts[l + 1], n * (fout + 1))
                    ws.acts[l].withUnsafeBufferPointer { a in
                        ws.pre[l].withUnsafeMutableBufferPointer { z in
                            rawGEMM(m: n, n: fout, k: fin + 1, a: a.baseAddress!, lda: fin + 1, b: wb, ldb: fout,
                                    beta: 0, c: z.baseAddress!, ldc: fout)
                        }
                    }
                    ws.pre[l].withUnsafeBufferPointer { z in
                        ws.acts[l + 1].withUnsafeMutableBufferPointer { a in
                            applyActivationAppendingOne(activation, z: z.baseAddress!, rows: n, width: fout, a: a.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// Mutable access to the output of the last training forward (the flow caches derived spline parameters there).
    func withMutableOutput<R>(_ body: (UnsafeMutableBufferPointer<T>) -> R) -> R { train.out.withUnsafeMutableBufferPointer { body($0) } }

    /// Read the output of the last training forward (n × outputs, row-major).
    func withOutput<R>(_ body: (UnsafeBufferPointer<T>) -> R) -> R { train.out.withUnsafeBufferPointer(body) }

    /// Backward pass for the last `forward`: returns dL/dx and accumulates dL/dparameters into `gradients`.
    public func backward(_ dOutput: Matrix<T>) -> Matrix<T> {
        precondition(dOutput.rows == batch && dOutput.cols == outputs,
                     "MLP.backward: gradient is \(dOutput.rows)x\(dOutput.cols), expected \(batch)x\(outputs)")
        var dx = Matrix<T>(rows: batch, cols: inputs)
        if batch == 0 { return dx }
        dOutput.storage.withUnsafeBufferPointer { g in
            dx.storage.withUnsafeMutableBufferPointer { d in backward(dOutput: g.baseAddress!, dInput: d.baseAddress) }
        }
        return dx
    }

    /// Raw backward: dOutput is batch×outputs; dInput (batch×inputs) is overwritten unless nil.
    func backward(dOutput: UnsafePointer<T>, dInput: UnsafeMutablePointer<T>?) {
        let n = batch, L = layerCount
        if n == 0 { return }
        // Both ping-pong buffers hold the widest layer, so the swaps below never trigger a reallocation.
        let widest = widths.max() ?? 0
        reserveScratch(&gradA, n * widest)
        reserveScratch(&gradB, n * widest)
        gradA.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: dOutput, count: n * outputs) }
        parameters.withUnsafeBufferPointer { pp in
            gradients.withUnsafeMutableBufferPointer { gg in
                let p = pp.baseAddress!, gp = gg.baseAddress!
                for l in stride(from: L - 1, through: 0, by: -1) {
                    let fin = widths[l], fout = widths[l + 1]
                    // gradA holds dL/dz_l (n × fout).
                    gradA.withUnsafeBufferPointer { dzb in
                        let dz = dzb.baseAddress!
                        // [dW; db] += [a 1]ᵀ dz.
                        train.acts[l].withUnsafeBufferPointer { a in
                            rawGEMM(transA: true, m: fin + 1, n: fout, k: n, a: a.baseAddress!, lda: fin + 1,
                                    b: dz, ldb: fout, beta: 1, c: gp + weightOffset[l], ldc: fout)
                        }
                        // da_{l} = dz Wᵀ (n × fin).
                        if (l > 0 || dInput != nil) && fin > 0 {
                            gradB.withUnsafeMutableBufferPointer { db in
                                rawGEMM(transB: true, m: n, n: fin, k: fout, a: dz, lda: fout, b: p + weightOffset[l],
                                        ldb: fout, beta: 0, c: db.baseAddress!, ldc: fin)
                            }
                        }
                    }
                    if l > 0 {
                        train.pre[l - 1].withUnsafeBufferPointer { z in
                            gradB.withUnsafeMutableBufferPointer { g in
                                multiplyActivationDerivative(activation, z: z.baseAddress!, g: g.baseAddress!, count: n * fin)
                            }
                        }
                        swap(&gradA, &gradB)
                    } else if let dInput, n * fin > 0 {
                        gradB.withUnsafeBufferPointer { dInput.update(from: $0.baseAddress!, count: n * fin) }
                    }
                }
            }
        }
    }
}
