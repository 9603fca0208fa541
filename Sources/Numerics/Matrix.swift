// Dense row-major matrices: one contiguous buffer, the shape networks and batches of points use.

/// Scalars GEMM can multiply: Float (networks) and Double (weights, integrals).
public protocol GEMMScalar: BinaryFloatingPoint, Sendable where Self.RawSignificand: FixedWidthInteger {
    /// C = alpha * op(A) * op(B) + beta * C on raw row-major buffers.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    var doubleValue: Double { get }
    init(_ value: Double)
    /// Σ x² in Double over a raw buffer (concrete per type: generic element loops cost ~10× in hot paths).
    static func sumOfSquares(_ x: UnsafeBufferPointer<Self>) -> Double
    /// x ← f·x over a raw buffer.
    static func scale(_ x: UnsafeMutableBufferPointer<Self>, by f: Double)
    /// Whole arrays to and from Double (e.g. gradients summed over ranks in Double).
    static func doubles(_ x: [Self]) -> [Double]
    static func values(_ x: [Double]) -> [Self]
}

/// A row-major rows × cols matrix backed by one array.
public struct Matrix<T: GEMMScalar>: Equatable, Sendable {
    @inlinable public var rows: Int { _rows }
    @inlinable public var cols: Int { _cols }
    public var storage: [T]
    @usableFromInline var _rows: Int
    @usableFromInline var _cols: Int

    public init(rows: Int, cols: Int, repeating value: T = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix shape must be non-negative")
        self._rows = rows
        self._cols = cols
        self.storage = [T](repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [T]) {
        precondition(storage.count == rows * cols, "Matrix storage \(storage.count) != \(rows)x\(cols)")
        self._rows = rows
        self._cols = cols
        self.storage = storage
    }

    @inlinable public subscript(r: Int, c: Int) -> T {
        get { storage[r &* _cols &+ c] }
        set { storage[r &* _cols &+ c] = newValue }
    }

    @inlinable public var count: Int { _rows &* _cols }

    /// Copy of row r.
    public func row(_ r: Int) -> [T] { Array(storage[(r * cols)..<((r + 1) * cols)]) }

    public func transposed() -> Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { t.storage[c &* rows &+ r] = storage[r &* cols &+ c] } }
        return t
    }

    /// Reshape keeping the buffer's capacity (for work buffers whose batch size varies). Existing entries
    /// keep their linear positions; new ones are zero. Inlinable so that it specialises in client modules.
    @inlinable
    public mutating func resize(rows newRows: Int, cols newCols: Int) {
        let n = newRows * newCols
        let old = storage.count
        if old > n {
            storage.removeLast(old - n)
        } else if old < n {
            storage.reserveCapacity(n)
            storage.append(contentsOf: repeatElement(T.zero, count: n - old))
        }
        _rows = newRows
        _cols = newCols
    }
}

public typealias MatrixF = Matrix<Float>
public typealias MatrixD = Matrix<Double>
