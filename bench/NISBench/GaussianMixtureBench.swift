enum GaussianMixtureBench { static func run() { print("Gaussian-mixture benchmark: not written yet") } }
