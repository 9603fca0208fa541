import XCTest

/// Real mpirun runs with 1–4 ranks: every rank's results must equal the closed forms.
final class CollectivesTests: XCTestCase {
    func value(_ words: [String], _ key: String, _ k: Int = 0) -> String {
        guard let i = words.firstIndex(of: key), i + 1 + k < words.count else { return "missing \(key)" }
        return words[i + 1 + k]
    }

    func testCollectivesMatchClosedFormsOnOneToFourRanks() throws {
        for n in 1...4 {
            let res = try MPIRun.run(ranks: n, executable: "MPIProbe", arguments: ["collectives"])
            XCTAssertEqual(res.status, 0, "mpirun -np \(n) failed: \(res.stderr)")
            let lines = MPIRun.rankLines(res.stdout)
            XCTAssertEqual(lines.count, n, "expected one line per rank: \(res.stdout)")
            for r in 0..<n {
                guard let w = lines[r] else { XCTFail("rank \(r) missing"); continue }
                XCTAssertEqual(value(w, "size"), String(n))
                XCTAssertEqual(Double(value(w, "sumA")), Double(n * (n + 1) / 2))          // Σ (r+1)
                XCTAssertEqual(Double(value(w, "sumB")), 0.5 * Double(n * (n - 1) / 2))    // Σ r/2
                XCTAssertEqual(Float(value(w, "maxF")), Float(n - 1) + 0.25)
                XCTAssertEqual(Int64(value(w, "minI0")), Int64(10 - (n - 1)))
                XCTAssertEqual(Int64(value(w, "minI1")), 0)
                XCTAssertEqual(Int64(value(w, "maxI")), Int64(n - 1) * 1_000_000_000_000)  // beyond Int32
                XCTAssertEqual(Int64(value(w, "exscan")), Int64(r * (r + 1) / 2))          // Σ_{q<r} (q+1)
                XCTAssertEqual(value(w, "bcast"), "3.5")
                XCTAssertEqual(value(w, "bcast", 1), "-1.0")
                XCTAssertEqual(value(w, "msg"), "from-last")
            }
            // Rank q sends q values 10q + j; rank 0 gathers them in rank order.
            let expected = (0..<n).map { q in (0..<q).map { String(q * 10 + $0) }.joined(separator: ",") }.joined(separator: "|")
            XCTAssertEqual(value(lines[0] ?? [], "gather"), "=" + expected)
        }
    }
}
