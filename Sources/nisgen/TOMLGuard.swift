// Checks a run card's text for what the TOML parser (toml++ inside TOMLKit) does not survive, before it sees
// the text: a table header `[` or `[[` followed by something that cannot start a key (`[ = 1`, `[.a]`, a lone
// `[`) trips an assertion in its key parser and aborts the process (found by fuzzing; Tests/FuzzTests). The
// scan follows strings, comments and multi-line arrays and inline tables only as far as needed to know which
// lines are table headers; everything else is left to the parser.
enum TOMLGuard {
    static func check(_ text: String) throws {
        let bytes = Array(text.utf8)
        var i = 0, line = 1, depth = 0
        var atLineStart = true
        func isKeyStart(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 45 || c == 34 || c == 39 || c == 93
        }
        func skipString(_ quote: UInt8) {
            let triple = i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote
            i += triple ? 3 : 1
            while i < bytes.count {
                let c = bytes[i]
                if c == 92 && quote == 34 { i += 2; continue }  // escape in a basic string
                if c == 10 { line += 1; if !triple { return } }
                if c == quote && (!triple || (i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote)) {
                    i += triple ? 3 : 1
                    return
                }
                i += 1
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == 10 { line += 1; atLineStart = true; i += 1; continue }
            if c == 32 || c == 9 || c == 13 { i += 1; continue }
            if atLineStart && depth == 0 && c == 91 {
                // A table header: after `[` or `[[` and blanks must come a key (or `]`, refused by the parser).
                var j = i + 1
                if j < bytes.count && bytes[j] == 91 { j += 1 }
                while j < bytes.count && (bytes[j] == 32 || bytes[j] == 9) { j += 1 }
                guard j < bytes.count, isKeyStart(bytes[j]) else {
                    throw IntegrateError("run card is not valid TOML: line \(line): a table header '[' must be followed by a key")
                }
                atLineStart = false
                i = j
                continue
            }
            atLineStart = false
            switch c {
            case 35: while i < bytes.count && bytes[i] != 10 { i += 1 }  // comment
            case 34, 39: skipString(c)
            case 91, 123: depth += 1; i += 1
            case 93, 125: depth = max(depth - 1, 0); i += 1
            default: i += 1
            }
        }
    }
}
