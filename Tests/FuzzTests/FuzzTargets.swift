// What each fuzz target feeds a mutated input to: the same readers and checks the commands use. Every call
// must either succeed or throw; a trap, a signal, a hang or runaway memory is a bug.
import Foundation
import EventIO
import Integrator
import PDF
@testable import nisgen

struct FuzzTarget {
    let name: String
    /// File name the input is written under (some readers care: the PDF locator reads `NAME_0000.dat`).
    let fileName: String
    let text: Bool
    /// Reads the input at `path` (in a folder of its own, `folder`) the way the product does.
    let check: (_ path: String, _ folder: URL) throws -> Void

    static let setName = "NNPDF23_lo_as_0130_qed"

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "card", fileName: "card.toml", text: true) { path, _ in
            guard let text = readCardFile(path) else { throw FuzzRejected() }
            if RunCard.isPhysicsCard(text) {
                let card = try RunCard(text: text)
                _ = card.physicsHash
            } else {
                var toy = IntegrateSettings()
                try toy.apply(card: text)
            }
        },
        FuzzTarget(name: "pdf-grid", fileName: setName + "_0000.dat", text: true) { path, folder in
            // The member file mutated; the metadata from the built-in table (the shipped set has no .info).
            try evaluate(try LHAGridPDF.load(path))
        },
        FuzzTarget(name: "pdf-info", fileName: setName + ".info", text: true) { _, folder in
            // The .info mutated, next to the small valid grid the harness put in the folder.
            try evaluate(try LHAGridPDF.load(folder.appendingPathComponent(setName + "_0000.dat").path))
        },
        FuzzTarget(name: "model", fileName: "model.h5", text: false) { path, _ in
            let model = try SamplerModelFile.read(from: path)
            _ = model.fingerprint
            try Inspect.parse([path]).run()
        },
        FuzzTarget(name: "events", fileName: "events.h5", text: false) { path, _ in
            let file = try LHEH5File(path: path)
            for rows in file.chunks(of: 7) { _ = try file.events(rows) }
            try Inspect.parse([path, "--verify"]).run()
        },
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// A few PDF and αs values inside and outside the grid, as the integrand asks for them.
    static func evaluate(_ pdf: LHAGridPDF) throws {
        var values = PartonValues()
        for (x, q) in [(1e-4, 10.0), (0.3, 91.2), (1e-9, 1.0), (0.99, 1e5), (1e-12, 0.5), (0.5, 1e7)] {
            for pid in [21, 1, -2, 3, 5, 22] { _ = pdf.xfx(pid, x: x, q: q) }
            pdf.xfxAll(x: x, q: q, into: &values)
            _ = pdf.alphaS(q)
            _ = try? pdf.xfxChecked(2, x: x, q: q)
        }
    }
}

/// A read that failed without an error of its own (e.g. an unreadable file): a clean rejection.
struct FuzzRejected: Error {}
