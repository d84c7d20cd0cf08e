#!/usr/bin/env python3
"""Cold start of workers on `wrangler dev` (scripts/bench --cold-only, and the default bench).

Each sample launches a fresh `wrangler dev` (a fresh workerd) on already-prepared state and
sends the first request as soon as the port accepts a TCP connection (wrangler holds it until
workerd has loaded the worker: the wasm compiled, the module's top level run), timed from the
connect to the body's last byte; a second request on the now-warm isolate follows, for
reference; then the server (its process group) is stopped. The times from the launch until
the port accepts and until wrangler prints "Ready on" are reported apart ("Ready on" is
wrangler's log line, not an exact boundary: the held request may still be waiting after it).
Targets are sampled in turn (A B A B ...) so that the machine's drift hits them alike; one
uncounted launch of each comes first (it leaves the state as every counted launch finds
it: KV holding what the first request caches).

    cold-start.py RUNS --target NAME CONFIG STATE HOST PATH [EXTRA_WRANGLER_ARGS] ...

Prints one line per sample on stderr, then per target the medians (ms): NAME accept ready
first load after second, where accept and ready are from the launch, first is the first
request's latency, load = ready - accept, after = first request's end - ready.
"""
import argparse
import http.client
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, host, path):
    """Times one GET from the connect to the body's last byte; returns (ms, status)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Host": host, "Connection": "close"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return (time.monotonic() - started) * 1000, response.status


def ms(seconds):
    return seconds * 1000


def sample(target, log):
    name, config, state, host, path, extra = target
    port = free_port()
    cmd = ["npx", "--no-install", "wrangler", "dev", "--config", config, "--local", "--ip", "127.0.0.1",
           "--port", str(port), "--persist-to", state, "--show-interactive-dev-session=false",
           "--env-file", "/dev/null"] + shlex.split(extra)
    launched = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    ready_at = []

    def read_output():
        for line in proc.stdout:
            if not ready_at and b"Ready on" in line:
                ready_at.append(time.monotonic())
            log.write(line.decode(errors="replace"))
        log.flush()

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name}: wrangler dev exited ({proc.returncode}); see {log.name}")
            if time.monotonic() - launched > 120:
                raise RuntimeError(f"{name}: no connection accepted in 120 s; see {log.name}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.01)
        accepted = time.monotonic()
        first, status = get(port, host, path)
        answered = time.monotonic()
        if status != 200:
            raise RuntimeError(f"{name}: first request answered {status}")
        second, status = get(port, host, path)
        if status != 200:
            raise RuntimeError(f"{name}: second request answered {status}")
        while not ready_at and time.monotonic() - answered < 5:
            time.sleep(0.01)
        if not ready_at:
            raise RuntimeError(f"{name}: no \"Ready on\" line from wrangler dev; see {log.name}")
        ready = ready_at[0]
        return (ms(accepted - launched), ms(ready - launched), first, ms(ready - accepted), ms(answered - ready), second)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(timeout=5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", type=int)
    parser.add_argument("--target", nargs="+", action="append", required=True)
    parser.add_argument("--log", default=os.devnull)
    args = parser.parse_args()
    targets = []
    for t in args.target:
        if len(t) not in (5, 6):
            parser.error("--target NAME CONFIG STATE HOST PATH [EXTRA_WRANGLER_ARGS]")
        targets.append(tuple(t) + (("",) if len(t) == 5 else ()))
    results = {t[0]: [] for t in targets}
    with open(args.log, "a") as log:
        for t in targets:
            sample(t, log)  # uncounted
        for run in range(args.runs):
            for t in targets:
                row = sample(t, log)
                results[t[0]].append(row)
                accept, ready, first, load, after, second = row
                print(f"  {t[0]:<6} run {run + 1}: port accepts {accept:5.0f} ms, Ready {ready:5.0f} ms after launch;"
                      f" first request {first:6.1f} ms (load {load:6.1f} + after Ready {after:6.1f}); second {second:5.1f} ms",
                      file=sys.stderr)
    for name, rows in results.items():
        medians = [statistics.median(col) for col in zip(*rows)]
        print(name, " ".join(f"{m:.1f}" for m in medians))


if __name__ == "__main__":
    main()
