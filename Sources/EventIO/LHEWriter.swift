// Les Houches Event file (LHEF v3.0, hep-ph/0609017, arXiv:1405.1067) from a finished LHEH5 file, for tools
// that read only LHE (Pythia 8 with `Beams:frameType = 4`, MadAnalysis, pylhe).
//
// Weight convention (LHA): unweighted runs are written with IDWTUP = 3 and each event carries its stored weight,
// XWGTUP = σ/N (× the overweight factor of an overweight event), so Σ XWGTUP = σ; readers take the cross section
// from XSECUP. Weighted runs use IDWTUP = 4, where the LHA defines σ as the *mean* of XWGTUP: each event carries
// N × its stored weight, N the number of events in the file. XSECUP, XERRUP, XMAXUP are the per-process
// σ, δσ and maximum weight in pb.
#if canImport(Glibc)
import Glibc
#endif

public enum LHEWriter {
    /// IDWTUP of a run: 3 unweighted, 4 weighted.
    public static func idwtup(weighted: Bool) -> Int { weighted ? 4 : 3 }

    /// The XWGTUP written for an event whose LHEH5 weight is `storedWeight` (see the file comment).
    public static func xwgtup(storedWeight: Double, weighted: Bool, eventCount: Int) -> Double {
        weighted ? storedWeight * Double(eventCount) : storedWeight
    }

    /// Convert `source` to `output`, `chunkEvents` at a time; written as `output.partial` and renamed at the end.
    /// Refuses an existing `output`.
    public static func convert(_ source: LHEH5File, to output: String, chunkEvents: Int = 10_000) throws {
        guard access(output, F_OK) != 0 else { throw EventFileError.outputExists(path: output) }
        let partial = output + ".partial"
        guard let handle = fopen(partial, "w") else {
            throw EventFileError.writeFailed(path: output, reason: String(cString: strerror(errno)))
        }
        var text = LHEText(handle: handle)
        var ok = true
        do {
            writeHeader(source, into: &text)
            for rows in source.chunks(of: chunkEvents) {
                for event in try source.events(rows) { writeEvent(event, source: source, into: &text) }
                ok = ok && text.flush()
            }
            text.line("</LesHouchesEvents>")
            ok = ok && text.flush()
        } catch {
            fclose(handle)
            unlink(partial)
            throw error
        }
        ok = fclose(handle) == 0 && ok
        guard ok, rename(partial, output) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partial)
            throw EventFileError.writeFailed(path: output, reason: reason)
        }
    }

    private static func writeHeader(_ source: LHEH5File, into text: inout LHEText) {
        let run = source.run, totals = source.totals
        text.line("<LesHouchesEvents version=\"3.0\">")
        text.line("<header>")
        text.line("<nisgen source=\"\(xmlEscaped(source.path))\" cardHash=\"\(xmlEscaped(run.cardHash))\" modelHash=\"\(xmlEscaped(run.modelHash))\" seed=\"\(run.seed)\">")
        text.append("crossSection_pb "); text.number(totals.crossSection); text.append(" error_pb "); text.number(totals.error)
        text.line(" events \(totals.events) trials \(totals.trials)")
        text.line("weights: " + (run.weighted ? "IDWTUP=4, sigma = mean of XWGTUP" : "IDWTUP=3, sum of XWGTUP = sigma"))
        for (i, p) in run.processes.enumerated() { text.line("process \(i + 1): \(xmlEscaped(p.name))") }
        // "--" may not appear inside an XML comment.
        text.line("<!-- run card")
        text.line(run.cardText.replacingAll("--", with: "- -"))
        text.line("-->")
        text.line("</nisgen>")
        text.line("</header>")
        text.line("<init>")
        text.append("\(run.beamA) \(run.beamB) "); text.number(run.energyA); text.append(" "); text.number(run.energyB)
        text.line(" \(run.pdfGroup) \(run.pdfGroup) \(run.pdfSetID) \(run.pdfSetID) \(idwtup(weighted: run.weighted)) \(run.processes.count)")
        for i in run.processes.indices {
            text.number(totals.processCrossSections[i]); text.append(" "); text.number(totals.processErrors[i]); text.append(" ")
            text.number(totals.processMaximumWeights[i]); text.line(" \(i + 1)")
        }
        text.line("</init>")
    }

    private static func writeEvent(_ event: EventRecord, source: LHEH5File, into text: inout LHEText) {
        text.line("<event>")
        text.integer(event.particles.count); text.space(); text.integer(event.processID); text.space()
        text.number(xwgtup(storedWeight: event.relativeWeight, weighted: source.run.weighted, eventCount: source.eventCount))
        for x in [event.scale, event.alphaQED, event.alphaS] { text.space(); text.number(x) }
        text.line("")
        for p in event.particles {
            text.integer(p.id); text.space(); text.integer(p.status); text.space()
            text.integer(p.mother1); text.space(); text.integer(p.mother2); text.space()
            text.integer(p.colour1); text.space(); text.integer(p.colour2)
            text.space(); text.number(p.px); text.space(); text.number(p.py); text.space(); text.number(p.pz)
            text.space(); text.number(p.e); text.space(); text.number(p.m)
            text.space(); text.number(p.lifetime); text.space(); text.number(p.spin)
            text.line("")
        }
        text.line("</event>")
    }

    static func xmlEscaped(_ s: String) -> String {
        s.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            .replacingAll("\"", with: "&quot;")
    }
}

/// Buffered text output. Numbers in the %.10e layout (11 significant digits: enough for momenta that conserve
/// energy to 1e-10 relative), formatted here because vsnprintf through withVaList costs ~0.8 µs a number.
struct LHEText {
    let handle: UnsafeMutablePointer<FILE>
    private var bytes: [UInt8] = []

    init(handle: UnsafeMutablePointer<FILE>) {
        self.handle = handle
        bytes.reserveCapacity(1 << 20)
    }

    mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func line(_ s: String) { append(s); bytes.append(10) }
    mutating func space() { bytes.append(32) }

    mutating func integer<T: BinaryInteger>(_ value: T) {
        if value < 0 { bytes.append(45) }
        var v = value.magnitude
        var width = 1
        while v >= 10 { v /= 10; width += 1 }
        // Digits are filled in from the right, without a temporary array.
        let end = bytes.count + width
        bytes.append(contentsOf: repeatElement(48, count: width))
        v = value.magnitude
        for i in stride(from: end - 1, through: end - width, by: -1) {
            bytes[i] = 48 + UInt8(v % 10)
            v /= 10
        }
    }

    /// x as d.dddddddddde±XX (rounded to 11 significant digits; ties may round differently from printf).
    mutating func number(_ x: Double) {
        guard x.isFinite else { append(x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf")); return }
        if x.sign == .minus { bytes.append(45) }
        let a = x.magnitude
        var exponent = 0
        var mantissa: UInt64 = 0
        if a != 0 {
            exponent = Int(log10(a).rounded(.down))
            mantissa = Self.elevenDigits(a, exponent)
            // log10 may be off by one near powers of ten, and rounding may carry to 10.000…
            if mantissa >= 100_000_000_000 { exponent += 1; mantissa = Self.elevenDigits(a, exponent) }
            if mantissa < 10_000_000_000 { exponent -= 1; mantissa = Self.elevenDigits(a, exponent) }
            if mantissa >= 100_000_000_000 { exponent += 1; mantissa /= 10 }
        }
        let first = bytes.count
        bytes.append(contentsOf: [48, 46, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48] as [UInt8])   // "0.0000000000"
        for i in stride(from: first + 11, to: first + 1, by: -1) {
            bytes[i] = 48 + UInt8(mantissa % 10)
            mantissa /= 10
        }
        bytes[first] = 48 + UInt8(mantissa)
        bytes.append(101)
        bytes.append(exponent < 0 ? 45 : 43)
        if exponent.magnitude < 10 { bytes.append(48) }
        integer(exponent.magnitude)
    }

    /// round(a · 10^(10 − e)), the power split in two so that neither factor overflows for tiny or huge a.
    private static func elevenDigits(_ a: Double, _ e: Int) -> UInt64 {
        let s = 10 - e
        let half = s / 2
        let v = a * pow(10, Double(half)) * pow(10, Double(s - half))
        return v < 1e19 ? UInt64(v.rounded()) : UInt64.max
    }

    /// Write out what is buffered; false if the write failed (disk full, ...).
    mutating func flush() -> Bool {
        defer { bytes.removeAll(keepingCapacity: true) }
        guard !bytes.isEmpty else { return true }
        return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) } == bytes.count
    }

    /// The buffered text (tests).
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension String {
    /// Plain substring replacement (EventIO does not import Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
