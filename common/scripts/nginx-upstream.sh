#!/usr/bin/env bash
# nginx as the upstream of a client lesson (chapter 21), in the form of a
# lesson service (lesson_service := nginx-upstream, docs/ARCHITECTURE.md):
#
#   nginx-upstream.sh start DIR   start nginx (common/scripts/nginx.sh) and
#                                 print HP_UPSTREAM_PORT=N for the variants
#   nginx-upstream.sh stop DIR    stop it
#
# Unlike the load tests' nginx, this one closes a kept-alive connection
# after 1000 answers, nginx's own default (keepalive_requests): a client
# that keeps connections must cope with the server ending them.
set -euo pipefail
here=$(dirname "$0")
if [ $# -ne 2 ] || { [ "$1" != start ] && [ "$1" != stop ]; }; then
	echo "usage: nginx-upstream.sh start DIR | stop DIR" >&2
	exit 2
fi
if [ "$1" = stop ]; then
	exec "$here/nginx.sh" stop "$2"
fi
port=$(NGINX_KEEPALIVE_REQUESTS=1000 "$here/nginx.sh" start "$2") # fails the script when nginx does not start
echo "HP_UPSTREAM_PORT=$port"
