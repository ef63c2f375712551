"""The performance suite: ``make bench`` -> benchmarks/results.json."""
