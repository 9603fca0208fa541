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
        text.append("\(event.particles.count) \(event.processID) ")
        text.number(xwgtup(storedWeight: event.relativeWeight, weighted: source.run.weighted, eventCount: source.eventCount))
        text.append(" "); text.number(event.scale); text.append(" "); text.number(event.alphaQED)
        text.append(" "); text.number(event.alphaS); text.line("")
        for p in event.particles {
            text.append("\(p.id) \(p.status) \(p.mother1) \(p.mother2) \(p.colour1) \(p.colour2)")
            for x in [p.px, p.py, p.pz, p.e, p.m, p.lifetime, p.spin] { text.append(" "); text.number(x) }
            text.line("")
        }
        text.line("</event>")
    }

    static func xmlEscaped(_ s: String) -> String {
        s.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            .replacingAll("\"", with: "&quot;")
    }
}

/// Buffered text output with %.10e numbers (11 significant digits: exact enough for momenta that must
/// conserve energy to 1e-10 relative).
struct LHEText {
    let handle: UnsafeMutablePointer<FILE>
    private var bytes: [UInt8] = []
    private var scratch = [CChar](repeating: 0, count: 40)

    init(handle: UnsafeMutablePointer<FILE>) {
        self.handle = handle
        bytes.reserveCapacity(1 << 20)
    }

    mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func line(_ s: String) { append(s); bytes.append(10) }

    mutating func number(_ x: Double) {
        let n = scratch.withUnsafeMutableBufferPointer { buf in
            withVaList([x]) { vsnprintf(buf.baseAddress, buf.count, "%.10e", $0) }
        }
        scratch.withUnsafeBufferPointer { buf in
            for i in 0..<Int(n) { bytes.append(UInt8(bitPattern: buf[i])) }
        }
    }

    /// Write out what is buffered; false if the write failed (disk full, ...).
    mutating func flush() -> Bool {
        defer { bytes.removeAll(keepingCapacity: true) }
        guard !bytes.isEmpty else { return true }
        return bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) } == bytes.count
    }
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
