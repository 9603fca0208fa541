/// The YAML-like `key: value` text of LHAPDF `.info` files and of member-file headers.
///
/// Only the subset LHAPDF sets use is understood: one `Key: value` per line, `#` comments, flow lists
/// `[a, b, c]` (which may run over several lines), quoted strings. Indented lines that are not a new key
/// (block text such as long descriptions) are kept with their key but never parsed as numbers.
struct MetadataText: Sendable {
    /// Raw value text per key, with the line it started on.
    private(set) var entries: [String: (value: String, line: Int)] = [:]
    let source: String

    init(text: String, source: String) throws {
        self.source = source
        var pendingKey: String?
        var pendingValue = ""
        var pendingLine = 0
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = MetadataText.stripComment(String(rawLine))
            if let key = pendingKey {
                // Inside a multi-line flow list: keep appending until the closing bracket.
                pendingValue += " " + line.trimmingWhitespace()
                if line.contains("]") {
                    entries[key] = (pendingValue, pendingLine)
                    pendingKey = nil
                }
                continue
            }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed == "---" { continue }
            let indented = line.first == " " || line.first == "\t"
            guard !indented, let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = String(trimmed[..<colon]).trimmingWhitespace()
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingWhitespace()
            if key.isEmpty { continue }
            if value.hasPrefix("[") && !value.contains("]") {
                pendingKey = key; pendingValue = value; pendingLine = lineNumber
                continue
            }
            entries[key] = (value, lineNumber)
        }
        if let key = pendingKey {
            throw PDFError.malformed(path: source, line: pendingLine, problem: "list for '\(key)' is never closed with ']'")
        }
    }

    /// Comments start at a `#` outside quotes.
    private static func stripComment(_ line: String) -> String {
        var inQuote: Character?
        var out = ""
        for ch in line {
            if let q = inQuote { if ch == q { inQuote = nil } } else if ch == "\"" || ch == "'" { inQuote = ch } else if ch == "#" { break }
            out.append(ch)
        }
        return out
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    func string(_ key: String) -> String? {
        guard let raw = entries[key]?.value else { return nil }
        var s = raw
        if s.count >= 2, let f = s.first, let l = s.last, (f == "\"" && l == "\"") || (f == "'" && l == "'") {
            s = String(s.dropFirst().dropLast())
        }
        return s
    }

    func double(_ key: String) throws -> Double? {
        guard let entry = entries[key] else { return nil }
        guard let v = Double(entry.value), v.isFinite else {
            throw PDFError.malformed(path: source, line: entry.line, problem: "'\(key)' must be a number, found '\(entry.value)'")
        }
        return v
    }

    func int(_ key: String) throws -> Int? {
        guard let entry = entries[key] else { return nil }
        guard let v = Int(entry.value) else {
            throw PDFError.malformed(path: source, line: entry.line, problem: "'\(key)' must be an integer, found '\(entry.value)'")
        }
        return v
    }

    func doubleList(_ key: String) throws -> [Double]? {
        guard let entry = entries[key] else { return nil }
        let items = try listItems(key, entry)
        return try items.map { item in
            guard let v = Double(item), v.isFinite else {
                throw PDFError.malformed(path: source, line: entry.line, problem: "'\(key)' holds '\(item)', not a number")
            }
            return v
        }
    }

    func intList(_ key: String) throws -> [Int]? {
        guard let entry = entries[key] else { return nil }
        let items = try listItems(key, entry)
        return try items.map { item in
            guard let v = Int(item) else {
                throw PDFError.malformed(path: source, line: entry.line, problem: "'\(key)' holds '\(item)', not an integer")
            }
            return v
        }
    }

    private func listItems(_ key: String, _ entry: (value: String, line: Int)) throws -> [String] {
        let v = entry.value
        guard v.hasPrefix("["), v.hasSuffix("]") else {
            throw PDFError.malformed(path: source, line: entry.line, problem: "'\(key)' must be a list in [...], found '\(v)'")
        }
        let inner = v.dropFirst().dropLast()
        return inner.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
