print("no NIS benchmarks yet")
