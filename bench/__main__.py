"""`make bench`: every benchmark, each printing medians and a ratio against a baseline in the same run."""

from bench import bench_graph

if __name__ == "__main__":
    bench_graph.main()
