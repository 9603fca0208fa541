print("no physics benchmarks yet")
