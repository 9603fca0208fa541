#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `---`-separated block of an lhagrid1 member file, as written: knots and x·f values.
struct RawSubgrid: Sendable {
    var xs: [Double]
    var qs: [Double]
    var pids: [Int]
    /// x·f in file order: for each x knot, for each Q knot, one value per flavour.
    var values: [Double]
    /// Line of the x-knot row, for error messages.
    var firstLine: Int
}

/// Parser of LHAPDF 6 "lhagrid1" member files (`NAME_0000.dat`).
///
/// Layout (LHAPDF 6, arXiv:1412.7420, sect. 3): a header of `key: value` lines (`PdfType`, `Format`, ...)
/// ended by `---`; then one or more subgrids, each: a line of x knots, a line of Q knots (GeV), a line of
/// flavour ids, nx·nq rows of nf values (x outer, Q inner), and a closing `---`. Several subgrids split
/// the Q range at flavour thresholds; consecutive subgrids share their boundary Q knot.
/// Works on raw bytes with `strtod`: the files are megabytes and must load fast even in debug builds.
struct LHAGridFile: Sendable {
    var header: String
    var subgrids: [RawSubgrid]

    static func read(path: String) throws -> LHAGridFile {
        let bytes = try readBytes(path: path)
        return try parse(bytes: bytes, path: path)
    }

    static func readBytes(path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            if access(path, F_OK) != 0 { throw PDFError.fileNotFound(path: path) }
            throw PDFError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count {
                if ferror(file) != 0 { throw PDFError.unreadable(path: path, reason: "read error") }
                break
            }
        }
        return bytes
    }

    static func parse(bytes: [UInt8], path: String) throws -> LHAGridFile {
        var buffer = bytes
        buffer.append(0)  // strtod needs a terminator
        return try buffer.withUnsafeBufferPointer { buf in
            var lines = LineCursor(buf: buf, count: bytes.count, path: path)
            // Header up to the first separator.
            var header = ""
            var sawSeparator = false
            while let line = lines.next() {
                if line.isSeparator { sawSeparator = true; break }
                header += line.text + "\n"
            }
            guard sawSeparator else {
                throw PDFError.malformed(path: path, line: lines.lineNumber, problem: "no '---' after the header: not an lhagrid1 file, or truncated")
            }
            if !header.contains("lhagrid1") {
                throw PDFError.malformed(path: path, line: 1, problem: "header does not declare 'Format: lhagrid1'")
            }
            var subgrids: [RawSubgrid] = []
            while let xLine = lines.nextNonEmpty() {
                let xs = try xLine.numbers(path: path)
                guard let qLine = lines.nextNonEmpty() else {
                    throw PDFError.malformed(path: path, line: lines.lineNumber, problem: "file ends after the x knots of subgrid \(subgrids.count + 1): truncated")
                }
                let qs = try qLine.numbers(path: path)
                guard let fLine = lines.nextNonEmpty() else {
                    throw PDFError.malformed(path: path, line: lines.lineNumber, problem: "file ends after the Q knots of subgrid \(subgrids.count + 1): truncated")
                }
                let pidValues = try fLine.numbers(path: path)
                try checkKnots(xs, axis: "x", line: xLine.number, path: path, minCount: 2)
                try checkKnots(qs, axis: "Q", line: qLine.number, path: path, minCount: 2)
                var pids: [Int] = []
                for v in pidValues {
                    guard v == v.rounded(), abs(v) < 1e6 else {
                        throw PDFError.malformed(path: path, line: fLine.number, problem: "flavour id '\(v)' is not an integer")
                    }
                    let pid = Int(v) == 0 ? 21 : Int(v)  // some sets label the gluon 0
                    guard PartonValues.slot(ofPID: pid) != nil else { throw PDFError.unknownFlavour(path: path, line: fLine.number, pid: Int(v)) }
                    guard !pids.contains(pid) else {
                        throw PDFError.malformed(path: path, line: fLine.number, problem: "flavour \(pid) appears twice")
                    }
                    pids.append(pid)
                }
                guard !pids.isEmpty else { throw PDFError.malformed(path: path, line: fLine.number, problem: "empty flavour list") }
                let nf = pids.count
                let rows = xs.count * qs.count
                var values = [Double](repeating: 0, count: rows * nf)
                var row = 0
                var closed = false
                while let line = lines.next() {
                    if line.isSeparator { closed = true; break }
                    if line.isBlank { continue }
                    guard row < rows else {
                        throw PDFError.malformed(path: path, line: line.number, problem: "more than nx·nq = \(xs.count)·\(qs.count) = \(rows) value rows in subgrid \(subgrids.count + 1)")
                    }
                    let n = try line.numbers(path: path, into: &values, at: row * nf, max: nf)
                    if n != nf {
                        throw PDFError.malformed(path: path, line: line.number, problem: "expected \(nf) values (one per flavour), found \(n)")
                    }
                    row += 1
                }
                if row < rows {
                    throw PDFError.malformed(path: path, line: lines.lineNumber, problem: "subgrid \(subgrids.count + 1) has \(row) value rows, expected nx·nq = \(rows): truncated")
                }
                if !closed {
                    throw PDFError.malformed(path: path, line: lines.lineNumber, problem: "subgrid \(subgrids.count + 1) is not closed by '---': truncated")
                }
                subgrids.append(RawSubgrid(xs: xs, qs: qs, pids: pids, values: values, firstLine: xLine.number))
            }
            guard !subgrids.isEmpty else {
                throw PDFError.malformed(path: path, line: lines.lineNumber, problem: "no subgrid after the header: empty or truncated")
            }
            return LHAGridFile(header: header, subgrids: subgrids)
        }
    }

    private static func checkKnots(_ k: [Double], axis: String, line: Int, path: String, minCount: Int) throws {
        guard k.count >= minCount else {
            throw PDFError.malformed(path: path, line: line, problem: "\(axis) knot line has \(k.count) knots, at least \(minCount) needed")
        }
        if !(k[0] > 0) { throw PDFError.nonMonotoneKnots(path: path, line: line, axis: axis, index: 0, previous: 0, value: k[0]) }
        for i in 1..<k.count where !(k[i] > k[i - 1]) {
            throw PDFError.nonMonotoneKnots(path: path, line: line, axis: axis, index: i, previous: k[i - 1], value: k[i])
        }
    }
}

/// One line of the byte buffer.
private struct Line {
    let start: Int
    let end: Int
    let number: Int
    let buf: UnsafeBufferPointer<UInt8>

    var text: String { String(decoding: UnsafeBufferPointer(rebasing: buf[start..<end]), as: UTF8.self) }

    private var trimmedRange: (Int, Int) {
        var s = start, e = end
        while s < e, Line.isSpace(buf[s]) { s += 1 }
        while e > s, Line.isSpace(buf[e - 1]) { e -= 1 }
        return (s, e)
    }

    var isBlank: Bool { let (s, e) = trimmedRange; return s == e }
    var isSeparator: Bool {
        let (s, e) = trimmedRange
        return e - s == 3 && buf[s] == 45 && buf[s + 1] == 45 && buf[s + 2] == 45
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 }

    func numbers(path: String) throws -> [Double] {
        var out: [Double] = []
        var i = start
        while true {
            while i < end, Line.isSpace(buf[i]) { i += 1 }
            if i >= end { break }
            let v = try parseNumber(at: &i, path: path)
            out.append(v)
        }
        return out
    }

    /// Parses up to `max` numbers into `values[offset...]`; returns how many the line holds (may exceed max).
    func numbers(path: String, into values: inout [Double], at offset: Int, max: Int) throws -> Int {
        var count = 0
        var i = start
        while true {
            while i < end, Line.isSpace(buf[i]) { i += 1 }
            if i >= end { break }
            let v = try parseNumber(at: &i, path: path)
            if count < max { values[offset + count] = v }
            count += 1
        }
        return count
    }

    private func parseNumber(at i: inout Int, path: String) throws -> Double {
        let base = buf.baseAddress!
        let begin = base + i
        var endPtr: UnsafeMutablePointer<CChar>?
        let v = begin.withMemoryRebound(to: CChar.self, capacity: end - i + 1) { p -> Double in
            strtod(p, &endPtr)
        }
        let consumed = endPtr.map { UnsafeRawPointer($0) - UnsafeRawPointer(begin) } ?? 0
        var tokenEnd = i
        while tokenEnd < end, !Line.isSpace(buf[tokenEnd]) { tokenEnd += 1 }
        // The number must fill the whole whitespace-delimited token, stay inside the line, and be finite.
        if consumed == 0 || i + consumed != tokenEnd || !v.isFinite {
            let token = String(decoding: UnsafeBufferPointer(rebasing: buf[i..<tokenEnd]), as: UTF8.self)
            throw PDFError.malformed(path: path, line: number, problem: "cannot read '\(token)' as a finite number")
        }
        i = tokenEnd
        return v
    }
}

/// Walks the buffer line by line, counting line numbers from 1.
private struct LineCursor {
    let buf: UnsafeBufferPointer<UInt8>
    let count: Int
    let path: String
    var position = 0
    var lineNumber = 0

    init(buf: UnsafeBufferPointer<UInt8>, count: Int, path: String) {
        self.buf = buf; self.count = count; self.path = path
    }

    mutating func next() -> Line? {
        guard position < count else { return nil }
        var e = position
        while e < count, buf[e] != 10 { e += 1 }
        lineNumber += 1
        let line = Line(start: position, end: e, number: lineNumber, buf: buf)
        position = e + 1
        return line
    }

    mutating func nextNonEmpty() -> Line? {
        while let l = next() { if !l.isBlank { return l } }
        return nil
    }
}
