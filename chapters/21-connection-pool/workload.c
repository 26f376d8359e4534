/*
 * Chapter 21's workload (see workload.h): the paths, the checks, the digest
 * and the report; main() is here, so that naive.c and optimized.c hold only
 * their client.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hp/digest.h"
#include "hp/http.h"
#include "hp/opts.h"
#include "hp/prng.h"
#include "hp/report.h"
#include "hp/section.h"
#include "hp/xalloc.h"

#include "workload.h"

long reply_parse(const char *buf, size_t len, struct reply *r)
{
	struct hp_http_response res;
	int head = hp_http_parse_response(buf, len, &res);

	if (head == HP_HTTP_INCOMPLETE)
		return 0;
	if (head < 0 || res.content_length < 0)
		return -1;
	if (len - (size_t)head < (uint64_t)res.content_length)
		return 0;
	r->status = res.status;
	r->body = buf + head;
	r->body_len = (size_t)res.content_length;
	const struct hp_http_header *h = hp_http_header_find(res.headers, res.num_headers, "Connection");
	r->close = h && h->value_len == 5 && !strncasecmp(h->value, "close", 5);
	return head + (long)res.content_length;
}

size_t request_write(char *buf, size_t cap, const char *path, int keep_alive)
{
	int n = snprintf(buf, cap, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", path,
	                 keep_alive ? "" : "Connection: close\r\n");

	if (n < 0 || (size_t)n >= cap)
		hp_die("request for %s does not fit %zu bytes", path, cap);
	return (size_t)n;
}

int workload_main(int argc, char **argv)
{
	struct hp_opts opt;
	struct hp_section s;
	struct hp_digest d;
	struct hp_rng rng;
	uint64_t ok = 0, not_found = 0, body_bytes = 0;
	char path[64], hex[17];

	hp_opts_parse(&opt, argc, argv, NULL);
	/* A write on a connection the server has closed must fail (EPIPE), not kill the client. */
	signal(SIGPIPE, SIG_IGN);
	const char *env = getenv("HP_UPSTREAM_PORT");
	if (!env || !*env)
		hp_die(
		    "HP_UPSTREAM_PORT is not set: run this through hp-run (make chapter21-compare), or start "
		    "an upstream with common/scripts/nginx-upstream.sh start DIR and export what it prints");
	int port = atoi(env);
	if (port <= 0 || port > 65535)
		hp_die("HP_UPSTREAM_PORT=%s is not a port", env);

	struct client *c = client_new(port);
	hp_rng_init(&rng, opt.seed);
	hp_digest_init(&d);

	hp_section_begin(&s);
	for (uint64_t i = 0; i < opt.size; i++) {
		struct reply r;
		int missing = hp_rng_below(&rng, 8) == 0;

		if (missing)
			snprintf(path, sizeof path, "/missing/%" PRIu64, hp_rng_below(&rng, 1000000));
		else
			snprintf(path, sizeof path, "/");
		int err = client_get(c, path, &r);
		if (err)
			hp_die("request %" PRIu64 " (GET %s): %s", i + 1, path, strerror(-err));
		if (r.status != (missing ? 404 : 200))
			hp_die("request %" PRIu64 " (GET %s): status %d", i + 1, path, r.status);
		ok += r.status == 200;
		not_found += r.status == 404;
		body_bytes += r.body_len;
		hp_digest_u64(&d, (uint64_t)r.status);
		hp_digest_bytes(&d, r.body, r.body_len);
	}
	hp_section_end(&s, opt.size);

	hp_digest_hex(&d, hex);
	printf("requests %" PRIu64 "\nok %" PRIu64 "\nnot_found %" PRIu64 "\nbody_bytes %" PRIu64
	       "\ndigest %s\n",
	       opt.size, ok, not_found, body_bytes, hex);
	hp_section_report(&s);
	if (opt.size)
		hp_report_metric("connections_per_request", (double)client_connections(c) / (double)opt.size,
		                 "connections", HP_LOWER_IS_BETTER);
	client_free(c);
	return 0;
}
