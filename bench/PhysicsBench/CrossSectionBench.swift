enum CrossSectionBench { static func run() { print("cross-section benchmark: not written yet") } }
