enum PDFBench { static func run() { print("PDF benchmark: not written yet") } }
