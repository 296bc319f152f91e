#!/usr/bin/env python3
"""A fault-injecting HTTP proxy between ecs-onoff and moto_server, for tests.

Loopback only, seeded, bounded in time. It forwards every request to the upstream and, as
configured, answers some of them with a fault instead:

  --lost P        a write (CreateSchedule, UpdateSchedule, DeleteSchedule, CreateScheduleGroup)
                  is carried out upstream, then its answer is lost (the connection is reset)
  --mixed P       any request meets one fault, chosen at random: throttled (ThrottlingException),
                  HTTP 503, connection reset before forwarding, answer lost after forwarding, or a
                  stall of --stall seconds followed by a reset
  --bucket OP:RATE:BURST
                  a token bucket for operation OP: beyond it, ThrottlingException
  --blackhole REGEX
                  requests whose "OPERATION PATH" matches are never answered

CreateScheduleGroup for a group that exists is answered with ConflictException, as AWS does
(moto replaces the group and every schedule in it).

It prints its URL on the first line of standard output and stops when its standard input closes
or after --lifetime seconds. GET /__proxy__/stats answers with what it saw, as JSON: requests and
faults per operation, and the access key id of every signed request.
"""

import argparse
import http.client
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

WRITES = {"CreateSchedule", "UpdateSchedule", "DeleteSchedule", "CreateScheduleGroup"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "host",
              "content-length", "upgrade", "te", "trailer"}
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def operation(method, path, headers):
    """The AWS operation of a request: from X-Amz-Target (JSON protocols) or the REST path."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    path = path.split("?", 1)[0]
    if path.startswith("/schedules/"):
        return {"POST": "CreateSchedule", "PUT": "UpdateSchedule",
                "DELETE": "DeleteSchedule", "GET": "GetSchedule"}.get(method, method)
    if path == "/schedules":
        return "ListSchedules"
    if path.startswith("/schedule-groups/"):
        return {"POST": "CreateScheduleGroup", "GET": "GetScheduleGroup",
                "DELETE": "DeleteScheduleGroup"}.get(method, method)
    if path.startswith("/schedule-groups"):
        return "ListScheduleGroups"
    return f"{method} {path}"


class TokenBucket:
    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self.tokens, self.at = float(burst), time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class State:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.buckets = {}
        for spec in args.bucket:
            op, rate, burst = spec.split(":")
            self.buckets[op] = TokenBucket(float(rate), float(burst))
        self.blackhole = [re.compile(b) for b in args.blackhole]
        self.requests = {}
        self.faults = {}
        self.access_keys = {}
        self.local = threading.local()
        self.groups = threading.Lock()

    def roll(self):
        with self.lock:
            return self.rng.random()

    def choice(self, options):
        with self.lock:
            return self.rng.choice(options)

    def count(self, table, key):
        with self.lock:
            table[key] = table.get(key, 0) + 1

    def upstream(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            url = urlparse(self.args.upstream)
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            self.local.conn = conn
        return conn

    def forward(self, method, path, headers, body):
        for attempt in range(2):
            conn = self.upstream()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.getheaders(), resp.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 1:
                    raise


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, *args):
        pass

    def reset(self):
        """Closes the connection with a TCP reset: the client gets no answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def reply(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def throttle(self, json_protocol):
        if json_protocol:
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
            self.reply(400, [("Content-Type", "application/x-amz-json-1.1")], body.encode())
        else:
            body = json.dumps({"Message": "Rate exceeded"})
            self.reply(429, [("Content-Type", "application/json"),
                             ("x-amzn-ErrorType", "ThrottlingException")], body.encode())

    def handle_any(self):
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__proxy__/stats":
            with state.lock:
                stats = {"requests": state.requests, "faults": state.faults,
                         "access_keys": state.access_keys}
            self.reply(200, [("Content-Type", "application/json")], json.dumps(stats).encode())
            return
        op = operation(self.command, self.path, self.headers)
        state.count(state.requests, op)
        key = CREDENTIAL.search(self.headers.get("Authorization", ""))
        if key:
            state.count(state.access_keys, key.group(1))
        json_protocol = "X-Amz-Target" in self.headers
        line = f"{op} {self.path}"
        if any(b.search(line) for b in state.blackhole):
            state.count(state.faults, "blackhole")
            time.sleep(state.args.lifetime)
            self.reset()
            return
        bucket = state.buckets.get(op)
        if bucket is not None and not bucket.take():
            state.count(state.faults, "bucket")
            self.throttle(json_protocol)
            return
        fault = None
        if op in WRITES and state.roll() < state.args.lost:
            fault = "lost"
        elif state.roll() < state.args.mixed:
            fault = state.choice(["throttle", "503", "reset", "lost", "stall"])
        if fault:
            state.count(state.faults, fault)
        if fault == "throttle":
            self.throttle(json_protocol)
            return
        if fault == "503":
            self.reply(503, [("Content-Type", "text/plain")], b"Service Unavailable")
            return
        if fault == "reset":
            self.reset()
            return
        if fault == "stall":
            time.sleep(state.args.stall)
            self.reset()
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if op == "CreateScheduleGroup":
            with state.groups:
                name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
                exists, _, _ = state.forward("GET", f"/schedule-groups/{name}", headers, b"")
                if exists == 200:
                    body = json.dumps({"Message": f"Schedule group {name} already exists."})
                    self.reply(409, [("Content-Type", "application/json"),
                                     ("x-amzn-ErrorType", "ConflictException")], body.encode())
                    return
                status, resp_headers, resp_body = state.forward(
                    self.command, self.path, headers, body)
        else:
            status, resp_headers, resp_body = state.forward(self.command, self.path, headers, body)
        if fault == "lost":
            self.reset()
            return
        self.reply(status, resp_headers, resp_body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lost", type=float, default=0.0)
    parser.add_argument("--mixed", type=float, default=0.0)
    parser.add_argument("--stall", type=float, default=5.0)
    parser.add_argument("--bucket", action="append", default=[])
    parser.add_argument("--blackhole", action="append", default=[])
    parser.add_argument("--lifetime", type=float, default=600.0)
    args = parser.parse_args()
    if urlparse(args.upstream).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("the upstream must be on the loopback interface")

    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)

    def stop_when_stdin_closes():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    time.sleep(args.lifetime)
    os._exit(0)


if __name__ == "__main__":
    main()
