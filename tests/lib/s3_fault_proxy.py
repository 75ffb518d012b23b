#!/usr/bin/env python3
"""A loopback HTTP proxy in front of s3rver that injects faults, for tests/e2e/s3.sh.

  s3_fault_proxy.py --upstream PORT --port-file FILE [--fail N] [--fail-match SUBSTR]
                    [--stall-match SUBSTR] [--delete-on-list KEY] [--glacier KEY] [--bucket B]
                    [--log FILE]

--fail N          answer the first N requests whose path contains --fail-match (default: all)
                  with 503 SlowDown, then forward normally;
--stall-match S   accept requests whose path contains S and never answer them;
--delete-on-list  when a listing of the bucket passes through, delete KEY upstream (signed
                  with curl --aws-sigv4) before handing the listing back: the object is then
                  gone between listing and GET, deterministically.
--log FILE        one line per request: "<status> <method> <path>".
Binds 127.0.0.1 only; writes the chosen port to --port-file."""
import argparse
import http.client
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", type=int, required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--fail", type=int, default=0)
ap.add_argument("--fail-match", default="")
ap.add_argument("--stall-match", default=None)
ap.add_argument("--delete-on-list", default=None)
ap.add_argument("--bucket", default=None)
ap.add_argument("--log", default=None)
ap.add_argument("--glacier", default=None, help="list this key with StorageClass GLACIER")
args = ap.parse_args()

lock = threading.Lock()
state = {"failed": 0, "deleted": False}


def log(line):
    if args.log:
        with lock, open(args.log, "a") as f:
            f.write(line + "\n")


SLOWDOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
            b'<Message>Please reduce your request rate.</Message></Error>')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.forward()

    def do_HEAD(self):
        self.forward()

    def do_PUT(self):
        self.forward()

    def do_DELETE(self):
        self.forward()

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if args.stall_match is not None and args.stall_match in self.path:
            log("stall %s %s" % (self.command, self.path))
            time.sleep(3600)
            return
        with lock:
            fail = args.fail_match in self.path and state["failed"] < args.fail
            if fail:
                state["failed"] += 1
        if fail:
            log("503 %s %s" % (self.command, self.path))
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(SLOWDOWN)))
            self.end_headers()
            self.wfile.write(SLOWDOWN)
            return
        conn = http.client.HTTPConnection("127.0.0.1", args.upstream, timeout=60)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        conn.request(self.command, self.path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        listing = (self.command == "GET" and args.bucket and
                   self.path.split("?")[0].rstrip("/") == "/" + args.bucket and "?" in self.path and
                   "=" in self.path and "max-keys" in self.path)
        if listing and args.delete_on_list and not state["deleted"]:
            state["deleted"] = True
            subprocess.run(["curl", "-s", "-o", "/dev/null", "-X", "DELETE", "--aws-sigv4", "aws:amz:us-east-1:s3",
                            "--user", "S3RVER:S3RVER", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                            "http://127.0.0.1:%d/%s/%s" % (args.upstream, args.bucket, args.delete_on_list)],
                           check=True)
            log("deleted %s" % args.delete_on_list)
        if listing and args.glacier:
            # s3rver lists every object as STANDARD: rewrite one entry's class.
            key = ("<Key>%s</Key>" % args.glacier).encode()
            i = data.find(key)
            if i >= 0:
                j = data.find(b"<StorageClass>STANDARD</StorageClass>", i)
                data = data[:j] + b"<StorageClass>GLACIER</StorageClass>" + data[j + 37:]
        log("%d %s %s" % (resp.status, self.command, self.path))
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
