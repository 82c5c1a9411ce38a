#!/usr/bin/env bash
# Search pages against the same server's cheapest route (a static asset), on the demo data,
# signed in as marie: bench/search-pages.sh target/release/agora /tmp/agora-bench 8302
B=$1; D=$2; P=$3
rm -rf $D; $B serve --demo --bind 127.0.0.1:$P --data-dir $D > $D.log 2>&1 &
S=$!
for _ in $(seq 1 50); do curl -fs http://127.0.0.1:$P/healthz >/dev/null && break; sleep 0.2; done
sleep 2
rm -f /tmp/jar.$P
t=$(curl -s -c /tmp/jar.$P -b /tmp/jar.$P http://127.0.0.1:$P/login | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -c /tmp/jar.$P -b /tmp/jar.$P -o /dev/null --data-urlencode "csrf_token=$t" --data-urlencode "email=marie@northwind.example" --data-urlencode "password=agora-demo-2026" http://127.0.0.1:$P/login
cookie=$(awk '$6 == "agora_session" {print "agora_session=" $7}' /tmp/jar.$P)
asset=$(curl -s -H "Cookie: $cookie" http://127.0.0.1:$P/search | grep -o '/static/css/agora.css[^"]*' | head -1)
for p in "$asset" "/" "/search?q=data" "/search?q=steam+trap" "/experts?q=catalysis" "/api/v1/search/suggest?q=ste" "/ideas/1"; do wrk -t2 -c16 -d5s -H "Cookie: $cookie" "http://127.0.0.1:$P$p" | grep -E "Requests/sec|Non-2xx|Latency" | tr -s ' ' | tr '\n' ' ' | sed "s#^#$p #"; echo; done
kill $S; wait $S 2>/dev/null
