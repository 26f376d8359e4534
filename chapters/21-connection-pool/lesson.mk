# Chapter 21: a client making --size GET requests, one after the other, to
# nginx on 127.0.0.1 (the lesson's service, common/scripts/nginx-upstream.sh,
# started by hp-run, which passes its port as HP_UPSTREAM_PORT). naive opens
# a connection per request; optimized keeps one and reuses it (workload.h).
#
# Sizes. 20,000 requests by default. The small size, 1,500, crosses nginx's
# limit of 1000 answers per kept connection once, so make test and the
# exercise's grade go through the client's reconnect. nginx runs unpinned
# beside the client.
lesson_title := Connection reuse: one kept-alive connection against one per request
lesson_variants := naive optimized
lesson_service := nginx-upstream
lesson_args_small := --size 1500
lesson_args_default := --size 20000
lesson_args_large := --size 200000
lesson_rounds := 6
lesson_warmup := 1
lesson_metrics := time_ms ns_per_op sys_ms user_ms connections_per_request
lesson_exact := connections_per_request
lesson_primary := time_ms
# Claims. The time and the client's system time drop by a third at least
# (the reference run: x0.47 and x0.40, with CIs up to 0.58 and 0.51); the
# connections per request (exact, counted by the client: 1 against 1/1000)
# a hundredfold at least.
lesson_claims := time_ms: optimized < 0.67 * naive ; sys_ms: optimized < 0.67 * naive ; connections_per_request: optimized <= naive / 100
lesson_exercise_claims := connections_per_request: optimized <= naive / 100
lesson_go := Go's net/http keeps connections by default (http.Transport's idle pool, MaxIdleConnsPerHost 2), but only when the caller reads the body to the end and closes it; a body left unread costs the connection
