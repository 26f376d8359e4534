# Chapter 20: small writes on a TCP connection. The server writes each
# response as a head and a body; the variants differ in the options of the
# connection and in how the two pieces leave (workload.h): two write()s
# with the defaults (naive), the same with TCP_NODELAY (nodelay), the head
# with MSG_MORE (msg_more), one writev() with TCP_NODELAY (optimized).
#
# Cases. one: a single kept-alive connection, each request sent when the
# last answer is in (a client calling a service in a loop). busy: 32 such
# connections (throughput). light: an open loop of 200 requests/s over 16
# connections, a request every 80 ms on each: the stall needs a busy
# connection (the page says why), and a light load test would not see it.
# The server and hp-load run on CPU 0 (lesson_pin), as in chapter 19: the
# variants' throughput is compared for the same core.
#
# Sizes. Runs of 1 s after 0.3 s of warm-up, 6 rounds (the fewest that give
# a median a 95% confidence interval): the compare takes about two and a
# half minutes.
lesson_title := Socket options: small writes, Nagle and delayed ACKs
lesson_kind := server
lesson_variants := naive nodelay msg_more optimized
lesson_pin := 0
lesson_cases := one busy light
lesson_case_one := --connections 1
lesson_case_busy := --connections 32
lesson_case_light := --rate 200 --connections 16
lesson_args_small := --duration 0.5 --warmup 0.2
lesson_args_default := --duration 1 --warmup 0.3
lesson_args_large := --duration 10 --warmup 1
lesson_rounds := 6
lesson_warmup := 0
lesson_timeout := 60
lesson_tsan := yes
lesson_metrics := throughput_rps p50_us p99_us max_us errors writes_per_response segments_per_response
lesson_exact := writes_per_response segments_per_response
lesson_primary := throughput_rps
lesson_headline := busy.throughput_rps
# Claims. The stall: each fix takes the median on one busy connection below
# a tenth of naive's (about 1/2000 in the reference run), and the
# throughput of 32 connections above ten times; with one segment per
# response, msg_more and optimized serve more than nodelay.
# The counts (exact in make test: the corpus run): optimized makes one call
# and sends one segment per response where nodelay makes two of each, and
# msg_more sends one segment from two calls. light: at a request every
# 80 ms per connection naive does not stall (its median is within a factor
# of optimized's; with the stall it would be a hundred times higher).
lesson_claims := one.p50_us: nodelay < 0.1 * naive ; one.p50_us: msg_more < 0.1 * naive ; one.p50_us: optimized < 0.1 * naive ; busy.throughput_rps: optimized > 10 * naive ; busy.throughput_rps: optimized > nodelay ; busy.throughput_rps: msg_more > nodelay ; light.p50_us: optimized >= 0.3 * naive ; writes_per_response: optimized <= 0.6 * nodelay ; segments_per_response: optimized <= 0.6 * nodelay ; segments_per_response: msg_more <= 0.6 * nodelay ; writes_per_response: msg_more > optimized ; errors: optimized <= 0
# The exercise is graded on the two exact counts of the corpus run.
lesson_exercise_claims := writes_per_response: optimized <= 0.6 * naive ; segments_per_response: optimized <= 0.6 * naive
lesson_go := Go sets TCP_NODELAY on every TCP connection (net.TCPConn.SetNoDelay defaults to true), and net/http's bufio.Writer gathers a response's head and body into one write
