# Chapter 18: the same server measured two ways. The variants differ in how
# they sweep their session table (all at once every 100 ms, or a slice every
# millisecond); the cases differ in how the load generator measures them:
# closed loop (a fixed number of connections, each sending its next request
# when the last answer is in, as wrk does) and open loop (requests sent at a
# fixed rate whether or not earlier ones were answered, each timed from when
# it was due, as real clients arrive).
#
# Sizes. Runs of 3 s after 0.5 s of warm-up, 6 rounds: the compare takes
# about a minute and a half. The default table of 4 Mi slots (64 MiB) takes several ms to sweep
# here. The open loop's rate is well below what the server can serve between
# sweeps, so it is not the server's capacity being measured, only its
# pauses. Server and load generator share CPU 0 (lesson_pin): on this 2-core
# VM that is what keeps runs comparable (see chapter 19).
lesson_title := Load testing done right
lesson_kind := server
lesson_variants := naive optimized
lesson_pin := 0
lesson_cases := closed open
lesson_case_closed := --connections 50
lesson_case_open := --rate 10000 --connections 50
lesson_args_small := --duration 1
lesson_args_default := --duration 3 --warmup 0.5
lesson_args_large := --duration 20 --warmup 2
lesson_rounds := 6
lesson_warmup := 0
lesson_timeout := 60
lesson_metrics := throughput_rps p50_us p90_us p99_us p999_us max_us errors max_pause_us sweep_ms
lesson_primary := p99_us
lesson_claims := open.p99_us: optimized < 0.3 * naive
lesson_go := the Go runtime's own pauses (GC assists, stop-the-world) show in open-loop percentiles the same way
