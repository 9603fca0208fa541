enum FlowThroughputBench { static func run() { print("flow throughput benchmark: not written yet") } }
