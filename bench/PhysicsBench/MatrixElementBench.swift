enum MatrixElementBench { static func run() { print("matrix-element benchmark: not written yet") } }
