// A minimal SVG writer: elements as text with escaped attributes and content, numbers with at most two
// decimals (a hundredth of a pixel is below what any renderer shows, and short numbers keep files small).

public struct SVGDocument {
    public let width: Double
    public let height: Double
    private var body: [String] = []
    private var definitions: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Characters XML forbids (controls other than tab, newline, return) are dropped; markup characters escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate or length: two decimals at most, no trailing zeros, no "-0".
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        var s = Format.fixed(x, 2)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    static func attributes(_ attrs: KeyValuePairs<String, String>) -> String {
        attrs.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    public mutating func element(_ name: String, _ attrs: KeyValuePairs<String, String>) {
        body.append("<\(name)\(Self.attributes(attrs))/>")
    }

    public mutating func text(_ content: String, _ attrs: KeyValuePairs<String, String>) {
        body.append("<text\(Self.attributes(attrs))>\(Self.escape(content))</text>")
    }

    public mutating func open(_ name: String, _ attrs: KeyValuePairs<String, String>) {
        body.append("<\(name)\(Self.attributes(attrs))>")
    }

    public mutating func close(_ name: String) { body.append("</\(name)>") }

    public mutating func comment(_ text: String) {
        // "--" may not appear inside an XML comment.
        body.append("<!-- " + text.replacingOccurrences(of: "--", with: "- -") + " -->")
    }

    public mutating func define(_ raw: String) { definitions.append(raw) }

    public func rendered(title: String) -> String {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
        s += "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" "
        s += "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        s += "<title>\(Self.escape(title))</title>\n"
        if !definitions.isEmpty { s += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += body.joined(separator: "\n")
        s += "\n</svg>\n"
        return s
    }
}
