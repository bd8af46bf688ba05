"""`make bench`: every benchmark, each printing medians and a ratio against a baseline in the same run."""

from bench import bench_browser, bench_descent, bench_graph, bench_keras, bench_loop, bench_playground, bench_walkthrough

if __name__ == "__main__":
    bench_graph.main()
    print()
    bench_loop.main()
    print()
    bench_keras.main()
    print()
    bench_walkthrough.main()
    print()
    bench_descent.main()
    print()
    bench_playground.main()
    print()
    bench_browser.main()
