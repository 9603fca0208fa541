/// αs(Q) of a PDF set: the set's own table when it has one, analytic running otherwise.
public struct StrongCoupling: Sendable, Equatable {
    /// How αs is obtained.
    public enum Method: Sendable, Equatable {
        /// Interpolated from `AlphaS_Qs`/`AlphaS_Vals` (LHAPDF "ipol").
        case interpolated
        /// Run from αs(MZ) at the given loop order minus one (0 = 1-loop).
        case running(order: Int)
    }

    public let method: Method
    private let table: AlphaSInterpolation?
    private let running: AlphaSRunning?

    /// Chooses the table when `info` has one, else runs from `AlphaS_MZ` at `AlphaS_OrderQCD`;
    /// running is frozen below `qFreeze` (the set's lowest grid Q).
    public init(info: PDFSetInfo, qFreeze: Double) throws {
        if let qs = info.alphaSQs, let vs = info.alphaSVals {
            table = AlphaSInterpolation(qs: qs, vals: vs)
            running = nil
            method = .interpolated
        } else if let a = info.alphaSMZ {
            let r = AlphaSRunning(alphaSMZ: a, mZ: info.mZ, order: info.alphaSOrderQCD, thresholds: info.thresholds,
                                  maxFlavours: info.maxFlavours, qFreeze: qFreeze)
            let lowest = r(qFreeze)
            guard lowest.isFinite, lowest > 0, lowest < 10 else {
                throw PDFError.badMetadata(set: info.name, key: "AlphaS_MZ", problem: "running αs(MZ) = \(a) down to Q = \(qFreeze) GeV hits the Landau pole")
            }
            running = r
            table = nil
            method = .running(order: info.alphaSOrderQCD)
        } else {
            throw PDFError.badMetadata(set: info.name, key: "AlphaS_MZ", problem: "neither AlphaS_Qs/AlphaS_Vals nor AlphaS_MZ given; αs is unknown")
        }
    }

    /// αs at scale Q in GeV.
    public func callAsFunction(_ q: Double) -> Double {
        if let t = table { return t(q) }
        return running.map { $0(q) } ?? .nan
    }

    /// Active flavours at Q used by the running (nil for a tabulated αs).
    public func flavours(at q: Double) -> Int? { running?.flavours(at: q) }
}
