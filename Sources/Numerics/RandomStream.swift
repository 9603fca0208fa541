// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11): a stream is a pure function of
// (seed, stream id, position), so every rank and channel draws its own reproducible sequence with no
// state to share or communicate.

/// An independent, reproducible random stream keyed by (seed, stream).
public struct RandomStream: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    public let stream: UInt64
    /// Number of 128-bit blocks consumed so far.
    public private(set) var blockIndex: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4

    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// Resume a stream at `position` 32-bit words from its start (as reported by `position`).
    public init(seed: UInt64, stream: UInt64, position: UInt64) {
        self.init(seed: seed, stream: stream)
        blockIndex = position / 4
        if position % 4 != 0 {
            refill()
            used = Int(position % 4)
        }
    }

    /// 32-bit words drawn so far: with (seed, stream) the whole state, for checkpoints.
    public var position: UInt64 { used == 4 ? blockIndex &* 4 : (blockIndex &- 1) &* 4 &+ UInt64(used) }

    /// A child stream: the same seed, a stream id derived from this one's and `index` (for per-channel streams).
    public func substream(_ index: UInt64) -> RandomStream {
        RandomStream(seed: seed, stream: splitmix(stream &+ 0x9E37_79B9_7F4A_7C15 &* (index &+ 1)))
    }

    @inline(__always)
    private static func mulhilo(_ a: UInt32, _ b: UInt32) -> (hi: UInt32, lo: UInt32) {
        let p = UInt64(a) &* UInt64(b)
        return (UInt32(truncatingIfNeeded: p >> 32), UInt32(truncatingIfNeeded: p))
    }

    /// Philox4x32 with 10 rounds on counter (c0..c3) and key (k0, k1).
    @inline(__always)
    static func philox(_ c: (UInt32, UInt32, UInt32, UInt32), _ key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = c
        var (k0, k1) = key
        for _ in 0..<10 {
            let (hi0, lo0) = mulhilo(0xD251_1F53, c0)
            let (hi1, lo1) = mulhilo(0xCD9E_8D57, c2)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    private mutating func refill() {
        let ctr = (UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32),
                   UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
        buffer = RandomStream.philox(ctr, (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
        blockIndex &+= 1
        used = 0
    }

    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        if used == 4 { refill() }
        defer { used &+= 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    public mutating func next() -> UInt64 {
        UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
    }

    /// Uniform in the open interval (0, 1), 53 random bits: never exactly 0 or 1, so logs and maps stay finite.
    @inline(__always)
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// Uniform in (0, 1) in single precision (24 bits).
    @inline(__always)
    public mutating func uniformFloat() -> Float {
        (Float(nextUInt32() >> 8) + 0.5) * 0x1.0p-24
    }

    /// Standard normal deviate (Box–Muller; one of the pair is discarded to keep the stream position simple).
    public mutating func normal() -> Double {
        let u1 = uniform(), u2 = uniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Fill a buffer with uniforms in (0, 1).
    public mutating func fillUniform(_ out: inout [Double]) {
        for i in out.indices { out[i] = uniform() }
    }

    public mutating func fillUniform(_ out: inout [Float]) {
        for i in out.indices { out[i] = uniformFloat() }
    }

    /// Integer uniform in 0..<n.
    public mutating func index(below n: Int) -> Int {
        precondition(n > 0)
        return Int(next() % UInt64(n))
    }
}

@inline(__always)
func splitmix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
