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
# pauses. The server runs on CPU 1 and the load generator on CPU 0
# (lesson_pin, lesson_load_pin): an open loop must keep sending on schedule
# while the server stalls, which it cannot do on the stalled server's core
# (in a first compare with both on CPU 0, the generator fell behind its
# schedule in most open-loop runs and the two variants looked alike).
lesson_title := Load testing done right
lesson_kind := server
lesson_variants := naive optimized
lesson_pin := 1
lesson_load_pin := 0
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
lesson_claims := open.p99_us: optimized < 0.3 * naive ; closed.p99_us: optimized >= 0.5 * naive ; open.max_pause_us: optimized < 0.3 * naive ; errors: optimized <= 0
lesson_go := the Go runtime's own pauses (GC assists, stop-the-world) show in open-loop percentiles the same way
# The closed-loop claim is a wide bound on purpose: its p99 ratio was 0.98
# (CI 0.97-0.98) in the reference run and 1.00 (CI 0.75-1.37) in a later
# one on a fresh clone, where the runs drifted between two levels; what
# holds every time is that it stays far from the open loop's (about 0.07).
# A third, in a fresh clone's make compare, measured 0.94 with a CI of
# 0.27-1.08: a stall caught by a few of naive's closed-loop runs pulls the
# CI's low end down. So the claim is on the ratio's estimate (>=), not on
# the end of its CI.
# The index shows the open loop: the closed loop hides what the page is about.
lesson_headline := open.p99_us
