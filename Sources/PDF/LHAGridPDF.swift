#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One member of an LHAPDF 6 grid set (lhagrid1 format), read natively, with its αs.
///
/// Inside the grid: the algorithm of LHAPDF 6's log-bicubic interpolator (see
/// `LogBicubicSubgrid.stencil`; no LHAPDF library was available to compare bit by bit — tests check it
/// on functions it must reproduce exactly and against Pythia 8's independent reader). A Q exactly at a subgrid boundary (flavour threshold) uses the subgrid
/// above it, as LHAPDF does. Outside: `extrapolation` (default `.continuation`, LHAPDF's default), or
/// `xfxChecked` to throw. Value type, immutable after loading: safe to share between threads.
public struct LHAGridPDF: PartonDensity {
    public let name: String
    public let member: Int
    public let info: PDFSetInfo
    public let location: PDFLocation
    /// Flavours held by the grid (PDG ids, gluon as 21), in file order.
    public let flavours: [Int]
    public let xMin: Double
    public let xMax: Double
    public let qMin: Double
    public let qMax: Double
    public var extrapolation: GridExtrapolation
    public let strongCoupling: StrongCoupling

    let subgrids: [LogBicubicSubgrid]
    /// Lowest Q of each subgrid.
    private let subgridLowerQ: [Double]
    /// Whether the grid holds the flavour of each `PartonValues` slot.
    private let hasSlot: [Bool]

    public var lhapdfID: Int? { info.setIndex.map { $0 + member } }

    /// Finds (see `PDFLocator`) and loads one member. Metadata: `info` if given, else the set's `.info`
    /// (with member-header overrides), else `PDFSetInfo.builtIn`; otherwise it throws.
    public static func load(_ spec: String, member: Int = 0, searchPaths: [String] = [], dataPath: String? = nil,
                            info: PDFSetInfo? = nil, extrapolation: GridExtrapolation = .continuation) throws -> LHAGridPDF {
        let location = try PDFLocator.locate(spec, member: member, searchPaths: searchPaths, dataPath: dataPath)
        return try LHAGridPDF(location: location, info: info, extrapolation: extrapolation)
    }

    public init(location: PDFLocation, info explicitInfo: PDFSetInfo? = nil,
                extrapolation: GridExtrapolation = .continuation) throws {
        self.location = location
        self.name = location.setName
        self.member = location.member
        self.extrapolation = extrapolation
        let file = try LHAGridFile.read(path: location.memberFile)
        let header = try MetadataText(text: file.header, source: location.memberFile)

        var meta: PDFSetInfo
        if let given = explicitInfo {
            meta = given
        } else if let infoPath = location.infoFile {
            let bytes = try LHAGridFile.readBytes(path: infoPath)
            let text = try MetadataText(text: String(decoding: bytes, as: UTF8.self), source: infoPath)
            meta = try PDFSetInfo(metadata: text, name: location.setName, base: nil)
            meta = try PDFSetInfo(metadata: header, name: location.setName, base: meta)
        } else if let known = PDFSetInfo.builtIn(name: location.setName) {
            meta = try PDFSetInfo(metadata: header, name: location.setName, base: known)
        } else {
            throw PDFError.badMetadata(set: location.setName, key: "info",
                                       problem: "no \(location.setName).info next to \(location.memberFile) and not a built-in set; pass PDFSetInfo explicitly")
        }
        try meta.validate()
        self.info = meta

        // One flavour order for all subgrids: the first subgrid's.
        let pids = file.subgrids[0].pids
        var grids: [LogBicubicSubgrid] = []
        for (s, raw) in file.subgrids.enumerated() {
            guard Set(raw.pids) == Set(pids) else {
                throw PDFError.malformed(path: location.memberFile, line: raw.firstLine + 2,
                                         problem: "subgrid \(s + 1) has flavours \(raw.pids), the first subgrid \(pids)")
            }
            if s > 0 {
                let previousTop = file.subgrids[s - 1].qs.last!
                let bottom = raw.qs[0]
                if abs(bottom - previousTop) > 1e-9 * previousTop {
                    throw PDFError.malformed(path: location.memberFile, line: raw.firstLine + 1,
                                             problem: "subgrid \(s + 1) starts at Q = \(bottom) but subgrid \(s) ends at Q = \(previousTop); subgrids must share their boundary knot")
                }
            }
            grids.append(LogBicubicSubgrid(raw: raw))
        }
        if let listed = meta.flavours {
            let normalised = Set(listed.map { $0 == 0 ? 21 : $0 })
            guard normalised == Set(pids) else {
                throw PDFError.badMetadata(set: meta.name, key: "Flavors", problem: "lists \(listed.sorted()) but \(location.memberFile) holds \(pids.sorted())")
            }
        }
        subgrids = grids
        subgridLowerQ = grids.map { $0.qs[0] }
        flavours = pids
        let slots = pids.map { PartonValues.slot(ofPID: $0)! }  // the reader only accepts partons
        hasSlot = (0..<PartonValues.slotCount).map { slots.contains($0) }
        xMin = grids.map { $0.xs[0] }.min()!
        xMax = grids.map { $0.xs[$0.nx - 1] }.max()!
        qMin = grids[0].qs[0]
        qMax = grids[grids.count - 1].qs[grids[grids.count - 1].nq - 1]
        strongCoupling = try StrongCoupling(info: meta, qFreeze: qMin)
    }

    // MARK: - Queries

    public func alphaS(_ q: Double) -> Double { strongCoupling(q) }

    public func xfx(_ pid: Int, x: Double, q: Double) -> Double {
        guard let slot = PartonValues.slot(ofPID: pid), hasSlot[slot] else { return 0 }
        if x >= xMin && x <= xMax && q >= qMin && q <= qMax {
            return interpolate(slot: slot, x: x, q: q)
        }
        return outside(slot: slot, x: x, q: q)
    }

    public func xfxAll(x: Double, q: Double, into values: inout PartonValues) {
        values.storage.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            if x >= xMin && x <= xMax && q >= qMin && q <= qMax {
                let g = subgrids[subgridIndex(q)]
                g.evaluateAll(g.stencil(x: x, logx: log(x), q: q, logq2: 2 * log(q)), into: o)
            } else {
                for slot in 0..<PartonValues.slotCount { o[slot] = hasSlot[slot] ? outside(slot: slot, x: x, q: q) : 0 }
            }
        }
    }

    /// Strict query: throws `PDFError.outOfGrid` outside [xMin, xMax] × [qMin, qMax] (naming x or Q and the
    /// range) and `PDFError.flavourNotInSet` for flavours the grid lacks.
    public func xfxChecked(_ pid: Int, x: Double, q: Double) throws -> Double {
        guard let slot = PartonValues.slot(ofPID: pid), hasSlot[slot] else {
            throw PDFError.flavourNotInSet(pid: pid, set: name)
        }
        try checkInGrid(x: x, q: q)
        return interpolate(slot: slot, x: x, q: q)
    }

    /// Throws `PDFError.outOfGrid` when (x, Q) lies outside the grid.
    public func checkInGrid(x: Double, q: Double) throws {
        if !(x >= xMin && x <= xMax) { throw PDFError.outOfGrid(variable: "x", value: x, lower: xMin, upper: xMax) }
        if !(q >= qMin && q <= qMax) { throw PDFError.outOfGrid(variable: "Q [GeV]", value: q, lower: qMin, upper: qMax) }
    }

    /// Subgrids the Q range is split into (at flavour thresholds), as (lowest Q, highest Q).
    public var subgridQRanges: [(lower: Double, upper: Double)] {
        subgrids.map { ($0.qs[0], $0.qs[$0.nq - 1]) }
    }

    /// The value stored in the file at knot (ix, iq) of a subgrid, for a PDG id (nil when absent).
    public func knotValue(subgrid: Int, ix: Int, iq: Int, pid: Int) -> Double? {
        guard subgrid >= 0 && subgrid < subgrids.count, let slot = PartonValues.slot(ofPID: pid) else { return nil }
        let g = subgrids[subgrid]
        guard hasSlot[slot], ix >= 0, ix < g.nx, iq >= 0, iq < g.nq else { return nil }
        return g.data[(iq * g.nx + ix) * 2 * LogBicubicSubgrid.slots + slot]
    }

    /// x and Q knots of a subgrid.
    public func knots(subgrid: Int) -> (x: [Double], q: [Double]) { (subgrids[subgrid].xs, subgrids[subgrid].qs) }

    // MARK: - Internals

    /// The last subgrid starting at or below Q (a boundary Q belongs to the subgrid above).
    @inline(__always)
    private func subgridIndex(_ q: Double) -> Int {
        var s = 0
        while s &+ 1 < subgridLowerQ.count && q >= subgridLowerQ[s &+ 1] { s &+= 1 }
        return s
    }

    /// In-grid interpolation; x, Q must be inside the grid.
    @inline(__always)
    private func interpolate(slot: Int, x: Double, q: Double) -> Double {
        let g = subgrids[subgridIndex(q)]
        return g.evaluate(g.stencil(x: x, logx: log(x), q: q, logq2: 2 * log(q)), slot: slot)
    }

    private func outside(slot: Int, x: Double, q: Double) -> Double {
        if x.isNaN || q.isNaN { return .nan }
        if !(x > 0) || x > 1 || !(q > 0) { return 0 }
        let xc = min(x, xMax)
        switch extrapolation {
        case .nearestPoint:
            return interpolate(slot: slot, x: max(xc, xMin), q: min(max(q, qMin), qMax))
        case .continuation:
            return continuation(slot: slot, x: xc, q: q)
        }
    }

    /// LHAPDF 6 `ContinuationExtrapolator` (see `GridExtrapolation.continuation`); x ≤ xMax here.
    private func continuation(slot k: Int, x: Double, q: Double) -> Double {
        let first = subgrids[0]
        let last = subgrids[subgrids.count - 1]
        let xMin1 = first.xs[1]
        let qMax1 = last.qs[last.nq - 2]
        let f = { (x: Double, q: Double) in self.interpolate(slot: k, x: x, q: q) }
        // Value at (x, Q) for Q inside the grid, continued in x below xMin.
        let inX = { (q: Double) -> Double in
            x >= self.xMin ? f(x, q) : LHAGridPDF.logLinear(x, self.xMin, xMin1, f(self.xMin, q), f(xMin1, q))
        }
        if q >= qMin && q <= qMax { return inX(q) }
        if q > qMax {
            let q2 = q * q
            if x >= xMin { return LHAGridPDF.logLinear(q2, qMax * qMax, qMax1 * qMax1, f(x, qMax), f(x, qMax1)) }
            let lo = LHAGridPDF.logLinear(q2, qMax * qMax, qMax1 * qMax1, f(xMin, qMax), f(xMin, qMax1))
            let hi = LHAGridPDF.logLinear(q2, qMax * qMax, qMax1 * qMax1, f(xMin1, qMax), f(xMin1, qMax1))
            return LHAGridPDF.logLinear(x, xMin, xMin1, lo, hi)
        }
        // Q below the grid: interpolate the anomalous dimension towards 1, so xf → 0 as Q → 0.
        let q1 = qMin * 1.01.squareRoot()  // Q² = 1.01·Q²min
        let f0 = inX(qMin)
        let f1 = inX(min(q1, qMax))
        let anom = abs(f0) >= 1e-5 ? max(-2.5, (f1 - f0) / f0 / 0.01) : 1.0
        let r = (q * q) / (qMin * qMin)
        return f0 * pow(r, anom * r + 1 - r)
    }

    /// Linear extrapolation in log of the abscissa; in log of the value too when both values exceed 1e-3.
    private static func logLinear(_ v: Double, _ vl: Double, _ vh: Double, _ yl: Double, _ yh: Double) -> Double {
        let t = (log(v) - log(vl)) / (log(vh) - log(vl))
        if yl > 1e-3 && yh > 1e-3 { return exp(log(yl) + t * (log(yh) - log(yl))) }
        return yl + t * (yh - yl)
    }
}
