#!/usr/bin/env python3
"""A hostile S3-compatible test server on 127.0.0.1, for tests/e2e/hostile_s3.sh
(python3 standard library only). It answers one way of misbehaving per run:

  s3_hostile_server.py --mode MODE --port-file FILE [--log FILE] [--max-seconds N]
                       [--region REGION] [--trickle-size N] [--trickle-from N]

MODE
  stall-get    the listing is fine (a.txt, stall.txt); GET stall.txt sends its headers and
               100 of 5000 bytes, then nothing (until the server stops)
  reset-get    the listing is fine (a.txt, reset.txt); GET reset.txt sends its headers and part
               of the body, then resets the connection (RST)
  stall-list   every listing request is accepted and never answered
  reset-list   every listing answer is cut by a connection reset after part of the XML
  malformed    every listing answer is 200 with broken XML (an unclosed ListBucketResult)
  endless      every page says IsTruncated=true with a fresh NextContinuationToken /
               NextMarker and one fresh key: an endless bucket
  empty        every page says IsTruncated=true with a fresh token and no keys
  cycle        pages chain tokens t1 -> t2 -> t3 -> t1 (markers k1 -> k2 -> k3 -> k1 in v1)
  bomb         the listing declares nested entities (billion laughs) and uses them in a Key
  quadratic    the listing declares one 64 KiB entity and references it 20000 times
  trickle-get  the listing is fine (a.txt, trickle.txt); a.txt holds a face API call (a
               finding of tests/lib/hostile.sh's pack); GET trickle.txt (listed with
               --trickle-size bytes, default 5000; Range requests get 206) sends its headers,
               the bytes before offset --trickle-from (default 0) at once, then one byte per
               second until the answer is complete or the server stops
  trickle-only the listing holds trickle.txt only, which trickles as in trickle-get
  redirect-region
               every request whose SigV4 credential scope names a region other than
               --region (default eu-west-1) gets 301 PermanentRedirect with the header
               x-amz-bucket-region: REGION (as AWS answers); requests signed for REGION get
               the listing a.txt (a face API call), b.txt and normal answers
  redirect-noregion
               every request gets 301 PermanentRedirect with no x-amz-bucket-region header
               (the body's <Endpoint> names an AWS host, which a custom endpoint must not
               trust)

Bucket posture requests (?acl=, ?versioning=, ...) get 501 NotImplemented. Objects other
than the hostile ones answer "hello\\n". The server binds 127.0.0.1 on a free port, writes
the port to --port-file, logs one line per request to --log ("LIST n", "GET key", "POSTURE
what"; "REDIRECT scope" for redirected requests), and exits by itself after --max-seconds (default 60), stalled requests included."""
import argparse
import os
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--mode", required=True,
                choices=["stall-get", "reset-get", "reset-list", "malformed", "endless", "empty",
                         "cycle", "bomb", "quadratic", "stall-list", "trickle-get", "trickle-only", "redirect-region",
                         "redirect-noregion"])
ap.add_argument("--region", default="eu-west-1")
ap.add_argument("--trickle-size", type=int, default=5000)
ap.add_argument("--trickle-from", type=int, default=0)
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", default=None)
ap.add_argument("--max-seconds", type=float, default=60.0)
args = ap.parse_args()

STOP = threading.Event()
LOCK = threading.Lock()
COUNT = {"list": 0}
POSTURE = ("publicAccessBlock", "policyStatus", "acl", "encryption", "versioning", "lifecycle")
NS = "http://s3.amazonaws.com/doc/2006-03-01/"
BODY = b"hello\n"
FINDING = b"POST https://api.faceprobe.example/v1/detect\n"


def log(line):
    if args.log:
        with LOCK, open(args.log, "a") as f:
            f.write(line + "\n")


def contents(key, size):
    return ("<Contents><Key>%s</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>"
            "<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>%d</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>" % (key, size))


def listing(v2, keys, truncated, token=None, next_token=None, marker=None, next_marker=None, head=""):
    x = ['<?xml version="1.0" encoding="UTF-8"?>\n', head,
         '<ListBucketResult xmlns="%s"><Name>b</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys>' % NS]
    if v2:
        x.append("<KeyCount>%d</KeyCount>" % len(keys))
        if token:
            x.append("<ContinuationToken>%s</ContinuationToken>" % token)
        if next_token:
            x.append("<NextContinuationToken>%s</NextContinuationToken>" % next_token)
    else:
        x.append("<Marker>%s</Marker>" % (marker or ""))
        if next_marker:
            x.append("<NextMarker>%s</NextMarker>" % next_marker)
    x.append("<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false"))
    for k, n in keys:
        x.append(k if k.startswith("<") else contents(k, n))
    x.append("</ListBucketResult>")
    return "".join(x).encode()


def bomb_head():
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        ents.append('<!ENTITY lol%d "%s">' % (i, ("&lol%s;" % (i - 1 if i > 1 else "")) * 10))
    return "<!DOCTYPE ListBucketResult [\n%s\n]>\n" % "\n".join(ents)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go out as separate writes

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/xml", length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("ETag", '"5d41402abc4b2a76b9719d911017c592"')
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def reset(self):
        """Abort the connection with a TCP RST (SO_LINGER 0, then close)."""
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()
        self.close_connection = True

    def stall(self):
        """Send nothing more until the server stops (bounded by --max-seconds)."""
        STOP.wait()
        self.close_connection = True

    def do_HEAD(self):
        self.send(405, b"")

    def scope_region(self):
        """The region of the SigV4 credential scope: Credential=KEY/DATE/REGION/s3/aws4_request."""
        auth = self.headers.get("Authorization", "")
        i = auth.find("Credential=")
        if i < 0:
            return None
        parts = auth[i + len("Credential="):].split(",", 1)[0].split("/")
        return parts[2] if len(parts) >= 5 else None

    def redirect(self, header):
        self.send_response(301)
        self.send_header("Content-Type", "application/xml")
        if header:
            self.send_header("x-amz-bucket-region", args.region)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The '
                'bucket you are attempting to access must be addressed using the specified endpoint. Please '
                'send all future requests to this endpoint.</Message><Bucket>b</Bucket>'
                '<Endpoint>b.s3.%s.amazonaws.com</Endpoint></Error>' % args.region).encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def trickle(self):
        size = args.trickle_size
        start, end = 0, size - 1
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, b = rng[len("bytes="):].split("-", 1)
            start, end = int(a), min(int(b) if b else size - 1, size - 1)
        length = end - start + 1
        self.send_response(206 if rng else 200)
        self.send_header("Content-Type", "text/plain")
        if rng:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.send_header("Content-Length", str(length))
        self.end_headers()
        fast = max(0, min(args.trickle_from - start, length))
        try:
            self.wfile.write(b"t" * fast)
            self.wfile.flush()
            sent = fast
            while sent < length and not STOP.wait(1.0):
                self.wfile.write(b"t")
                self.wfile.flush()
                sent += 1
        except OSError:
            pass   # the client gave up: that is the point
        self.close_connection = True

    def do_GET(self):
        if args.mode == "redirect-noregion" or (args.mode == "redirect-region" and
                                                self.scope_region() != args.region):
            log("REDIRECT %s" % self.scope_region())
            return self.redirect(args.mode == "redirect-region")
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        parts = u.path.lstrip("/").split("/", 1)
        key = urllib.parse.unquote(parts[1]) if len(parts) > 1 else ""
        for p in POSTURE:
            if p in q:
                log("POSTURE %s" % p)
                return self.send(501, b'<?xml version="1.0"?><Error><Code>NotImplemented</Code>'
                                      b"<Message>not here</Message></Error>")
        if key:
            return self.get_object(key)
        return self.list(q)

    def get_object(self, key):
        log("GET %s" % key)
        if args.mode == "stall-get" and key == "stall.txt":
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"x" * 100)
            self.wfile.flush()
            return self.stall()
        if args.mode == "reset-get" and key == "reset.txt":
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"y" * 100)
            return self.reset()
        if args.mode.startswith("trickle") and key == "trickle.txt":
            return self.trickle()
        if key == "a.txt" and args.mode in ("trickle-get", "redirect-region"):
            return self.send(200, FINDING, "text/plain")
        return self.send(200, BODY, "text/plain")

    def list(self, q):
        v2 = q.get("list-type", [""])[0] == "2"
        token = q.get("continuation-token", [None])[0]
        marker = q.get("marker", [None])[0]
        with LOCK:
            COUNT["list"] += 1
            n = COUNT["list"]
        log("LIST %d" % n)
        m = args.mode
        if m in ("stall-get", "reset-get"):
            hostile = "stall.txt" if m == "stall-get" else "reset.txt"
            return self.send(200, listing(v2, [("a.txt", len(BODY)), (hostile, 5000)], False))
        if m == "stall-list":
            return self.stall()
        if m == "trickle-get":
            return self.send(200, listing(v2, [("a.txt", len(FINDING)), ("trickle.txt", args.trickle_size)], False))
        if m == "trickle-only":
            return self.send(200, listing(v2, [("trickle.txt", args.trickle_size)], False))
        if m == "redirect-region":
            return self.send(200, listing(v2, [("a.txt", len(FINDING)), ("b.txt", len(BODY))], False))
        if m == "reset-list":
            body = listing(v2, [("k%04d" % i, len(BODY)) for i in range(200)], False)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 3])
            return self.reset()
        if m == "malformed":
            body = listing(v2, [("a.txt", 6)], False)
            body = body[:-len(b"</ListBucketResult>")] + b"<Contents><Key>b.txt</Key><Size>6</Size>\x00<<"
            return self.send(200, body)
        if m in ("endless", "empty"):
            keys = [("page-%06d.txt" % n, len(BODY))] if m == "endless" else []
            return self.send(200, listing(v2, keys, True, token=token, next_token="tok-%06d" % n,
                                          marker=marker, next_marker="page-%06d.txt" % n if m == "endless" else "m-%06d" % n))
        if m == "cycle":
            cur = token if v2 else marker
            i = int(cur[1:]) if cur and cur[1:].isdigit() else 0
            nxt = i % 3 + 1
            keys = [("k%d" % nxt, len(BODY))]
            return self.send(200, listing(v2, keys, True, token=token, next_token="t%d" % nxt,
                                          marker=marker, next_marker="k%d" % nxt))
        if m == "bomb":
            keys = [("<Contents><Key>&lol9;</Key><Size>6</Size></Contents>", 0)]
            return self.send(200, listing(v2, keys, False, head=bomb_head()))
        if m == "quadratic":
            head = '<!DOCTYPE ListBucketResult [\n<!ENTITY a "%s">\n]>\n' % ("a" * 65536)
            keys = [("<Contents><Key>%s</Key><Size>6</Size></Contents>" % ("&a;" * 20000), 0)]
            return self.send(200, listing(v2, keys, False, head=head))
        return self.send(500, b"")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass   # resets and clients that hang up are the point of this server


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    STOP.wait(args.max_seconds)
    STOP.set()
    time.sleep(0.1)   # stalled handlers wake and close
    os._exit(0)


if __name__ == "__main__":
    main()
