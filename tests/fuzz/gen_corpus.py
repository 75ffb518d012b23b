#!/usr/bin/env python3
"""Writes the small seed corpora in tests/fuzz/corpus/<target>/ (python3 stdlib only).
Re-run after changing it: python3 tests/fuzz/gen_corpus.py. Every seed is tiny and
synthetic: random-looking vectors from a fixed LCG, images of a few pixels."""
import base64, bz2, gzip, io, json, lzma, os, pickle, shutil, struct, sys, tarfile, zipfile, zlib

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus")

def lcg(n, seed=7):
    x, v = seed, []
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7fffffff
        v.append((x / 0x7fffffff - 0.5) * 0.25)
    return v

def unit(n, seed=7):
    v = lcg(n, seed)
    s = sum(a * a for a in v) ** 0.5
    return [a / s for a in v]

def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def npy(shape, dtype="<f4", values=None, version=1, fortran=False):
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        dtype, "True" if fortran else "False",
        "".join("%d," % s for s in shape) if len(shape) == 1 else ", ".join(str(s) for s in shape))
    n = 1
    for s in shape:
        n *= s
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(hdr) + 1) % 64) % 64
    hdr = hdr + " " * pad + "\n"
    head = b"\x93NUMPY" + bytes([version, 0]) + (struct.pack("<H", len(hdr)) if version == 1 else struct.pack("<I", len(hdr)))
    vals = values if values is not None else lcg(n)
    code = {"<f4": "<%df", "<f8": "<%dd", ">f4": ">%df", "<f2": None, "<i4": "<%di", "|u1": "%dB"}[dtype]
    if code is None:
        body = b"".join(struct.pack("<e", v) for v in vals[:n])
    elif dtype in ("<i4", "|u1"):
        body = struct.pack(code % n, *[int(abs(v) * 100) for v in vals[:n]])
    else:
        body = struct.pack(code % n, *vals[:n])
    return head + hdr.encode() + body

def png(w, h, truncate=False):
    raw = b"".join(b"\x00" + bytes([(x * 40 + y * 20) & 255 for x in range(w)] * 3) for y in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return data[:-20] if truncate else data

def jpeg_header(w, h, extra=b""):
    # SOI, APP0 JFIF, optional extra segments, SOF0, then SOS and EOI (no real scan data).
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    sos = b"\xff\xda" + struct.pack(">H", 12) + b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + app0 + extra + sof + sos + b"\x00" * 8 + b"\xff\xd9"

def webp(w, h):
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + struct.pack("<I", w - 1)[:3] + struct.pack("<I", h - 1)[:3]
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x

def gif(w, h):
    return b"GIF89a" + struct.pack("<HH", w, h) + b"\x00\x00\x00" + b"\x2c" + struct.pack("<HHHH", 0, 0, w, h) + b"\x00\x02\x02\x44\x01\x00\x3b"

def bmp(w, h):
    return b"BM" + struct.pack("<IHHI", 54 + w * h * 3, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, 0, 0, 0, 0, 0) + b"\x00" * (w * h * 3)

def tiff(w, h):
    ents = [(256, 3, 1, w), (257, 3, 1, h), (258, 3, 1, 8)]
    ifd = struct.pack("<H", len(ents)) + b"".join(struct.pack("<HHII", *e) for e in ents) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd

def zipbytes(members, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for n, d in members:
            z.writestr(n, d)
    return b.getvalue()

def tarbytes(members, mode="w"):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode) as t:
        for n, d in members:
            ti = tarfile.TarInfo(n)
            ti.size = len(d)
            t.addfile(ti, io.BytesIO(d))
    return b.getvalue()

def main():
    # Keep regress-* files: inputs that once crashed a target (found by fuzzing).
    for root, _, files in os.walk(OUT):
        for f in files:
            if not f.startswith("regress-"):
                os.remove(os.path.join(root, f))
    vec = unit(128)
    vec_json = json.dumps([round(v, 6) for v in vec])
    vec_b64 = base64.b64encode(struct.pack("<128f", *vec)).decode()
    tiny_png = png(4, 3)
    tiny_jpg = jpeg_header(8, 8)

    # rules
    put("rules", "minimal.yaml", "id: p\nversion: '1'\ndescription: d\nrules:\n"
        "  - id: r.one\n    kind: regex\n    category: vendor_endpoint\n    severity: high\n"
        "    description: x\n    pattern: 'api\\.example\\.com/face'\n"
        "    examples: {match: ['https://api.example.com/face'], no_match: ['hello']}\n")
    put("rules", "path.yaml", "id: q\nversion: '1'\ndescription: d\nrules:\n"
        "  - id: q.lfw\n    kind: path\n    category: face_image\n    severity: medium\n"
        "    description: lfw\n    globs: ['**/lfw/**']\n")
    put("rules", "vector.yaml", "id: v\nversion: '1'\ndescription: d\nrules:\n"
        "  - id: v.t\n    kind: vector\n    category: face_template\n    severity: high\n"
        "    description: emb\n    dims: [128, 512]\n")
    put("rules", "anchors.yaml", "a: &a [1, 2, *a]\nrules: &r\n  - *r\n")
    put("rules", "bad.yaml", "id: [\nrules: {")
    for f in ("vendors.yaml", "paths.yaml", "templates.yaml"):
        p = os.path.join(TOP, "rules", f)
        if os.path.exists(p):
            with open(p, "rb") as fh:
                put("rules", "shipped-" + f, fh.read()[:6000])

    # sniff / imagesize
    for name, data in [("png", tiny_png), ("jpg", tiny_jpg), ("webp", webp(16, 16)), ("gif", gif(3, 2)),
                       ("bmp", bmp(2, 2)), ("tiff", tiff(5, 7)), ("pnm", b"P6\n3 2\n255\n" + b"\x00" * 18),
                       ("pgm-comment", b"P5\n# c\n3 2\n255\n" + b"\x00" * 6),
                       ("png-trunc", png(4, 3, True)), ("jpg-big", jpeg_header(65535, 65535)),
                       ("jpg-app1", jpeg_header(4, 4, b"\xff\xe1" + struct.pack(">H", 40) + b"Exif\x00\x00" + b"\x00" * 32)),
                       ("webp-vp8l", b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x07\xc0\x01\x00" + b"\x00" * 8)]:
        put("imagesize", name, data)
        put("sniff", name, data)
    for name, data in [("npy", npy((2, 128))), ("pickle", pickle.dumps([1.0, 2.0], protocol=2)),
                       ("zip", zipbytes([("a.txt", b"hello")])), ("tar", tarbytes([("a", b"x")])),
                       ("gz", gzip.compress(b"hello\n")), ("bz2", bz2.compress(b"hello\n")),
                       ("xz", lzma.compress(b"hello\n")), ("text", b"hello world\n"),
                       ("empty", b""), ("utf16", "hi".encode("utf-16")), ("hdf5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 24),
                       ("safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{}}"),
                       ("faiss", b"IxF2" + struct.pack("<iq", 4, 0)), ("7z", b"7z\xbc\xaf\x27\x1c\x00\x04"),
                       ("cpio", b"070701" + b"0" * 104), ("ar", b"!<arch>\n"), ("zstd", b"\x28\xb5\x2f\xfd\x00\x00"),
                       ("lz4", b"\x04\x22\x4d\x18\x64\x40\xa7"), ("rar", b"Rar!\x1a\x07\x01\x00")]:
        put("sniff", name, data)

    # npy
    put("npy", "f4-2x128.npy", npy((2, 128)))
    put("npy", "f8-1d.npy", npy((16,), "<f8"))
    put("npy", "f2.npy", npy((8,), "<f2"))
    put("npy", "be.npy", npy((4,), ">f4"))
    put("npy", "fortran.npy", npy((3, 4), fortran=True))
    put("npy", "v2.npy", npy((4,), version=2))
    put("npy", "i4.npy", npy((4,), "<i4"))
    put("npy", "u1-0d.npy", npy((), "|u1", values=[1.0]))
    put("npy", "object.npy", b"\x93NUMPY\x01\x00\x76\x00{'descr': '|O', 'fortran_order': False, 'shape': (2,), }" + b" " * 57 + b"\n" + pickle.dumps([1, 2], protocol=2))
    put("npy", "trunc.npy", npy((2, 128))[:200])

    # pickle
    put("pickle", "list-p0.pkl", pickle.dumps([round(v, 4) for v in vec[:16]], protocol=0))
    put("pickle", "list-p2.pkl", pickle.dumps(vec[:32], protocol=2))
    put("pickle", "dict-p4.pkl", pickle.dumps({"encodings": [vec[:16], vec[16:32]], "names": ["a", "b"]}, protocol=4))
    put("pickle", "nested-p5.pkl", pickle.dumps({"faces": [{"embedding": vec[:8], "id": 1}], "t": (1, 2, None, True)}, protocol=5))
    put("pickle", "memo.pkl", pickle.dumps([vec[:4]] * 3, protocol=3))
    put("pickle", "bytes.pkl", pickle.dumps({b"k": b"\x00\x01", "s": "x" * 10}, protocol=4))
    # an ndarray reconstruction by hand (protocol 2), as numpy writes it
    nd = (b"\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x00cnumpy\nndarray\nq\x01K\x00\x85q\x02C\x01bq\x03\x87q\x04Rq\x05"
          b"(K\x01K\x04\x85q\x06cnumpy\ndtype\nq\x07X\x02\x00\x00\x00f4q\x08\x89\x88\x87q\tRq\n(K\x03X\x01\x00\x00\x00<q\x0bNNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tq\x0cb\x89C\x10"
          + struct.pack("<4f", *vec[:4]) + b"q\rtq\x0eb.")
    put("pickle", "ndarray-p2.pkl", nd)
    p = os.path.join(TOP, "samples", "embeddings", "encodings.pickle")
    if os.path.exists(p):
        with open(p, "rb") as fh:
            put("pickle", "sample-encodings.pickle", fh.read())

    # mlfiles (FAISS, safetensors, HDF5)
    flat = struct.pack("<4s i q q ? ? f f", b"IxF2", 8, 2, 0, True, True, 0.0, 0.0)
    put("mlfiles", "faiss-ixf2", b"IxF2" + struct.pack("<iqq??i", 8, 2, 0, True, False, 1) + struct.pack("<q", 16) + struct.pack("<16f", *vec[:16]))
    put("mlfiles", "faiss-idmap", b"IxMp" + struct.pack("<iqq??i", 8, 2, 0, True, False, 1) + b"IxF2" + struct.pack("<iqq??i", 8, 2, 0, True, False, 1) + struct.pack("<q", 16) + struct.pack("<16f", *vec[:16]) + struct.pack("<q2q", 2, 1, 2))
    put("mlfiles", "faiss-hnsw", b"IHNf" + struct.pack("<iqq??i", 8, 100, 0, True, False, 1) + b"\x00" * 32)
    del flat
    hdr = json.dumps({"emb": {"dtype": "F32", "shape": [2, 8], "data_offsets": [0, 64]}, "__metadata__": {"format": "pt"}}).encode()
    put("mlfiles", "safetensors", struct.pack("<Q", len(hdr)) + hdr + struct.pack("<16f", *vec[:16]))
    hdr2 = json.dumps({"a": {"dtype": "F16", "shape": [4], "data_offsets": [0, 8]}, "b": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [8, 16]}}).encode()
    put("mlfiles", "safetensors-f16", struct.pack("<Q", len(hdr2)) + hdr2 + b"\x00" * 16)
    put("mlfiles", "hdf5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 40 + b"face_embeddings\x00names\x00" + b"\x00" * 16)

    # jsonarr / csvvec
    put("jsonarr", "doc.json", json.dumps({"faces": [{"embedding": [round(v, 6) for v in vec[:32]], "box": [1, 2, 3, 4]}]}, indent=1))
    put("jsonarr", "lines.jsonl", "\n".join(json.dumps({"user": i, "face_vector": [round(v, 5) for v in unit(16, i)]}) for i in range(3)) + "\n")
    put("jsonarr", "log.txt", '2024-01-01 INFO got embedding=%s from model\n' % json.dumps([round(v, 4) for v in vec[:16]]))
    put("jsonarr", "stringified.json", json.dumps({"vec": json.dumps([round(v, 4) for v in vec[:8]])}))
    put("jsonarr", "pgvector.sql", "INSERT INTO faces VALUES (1, '[%s]');\n" % ",".join("%.4f" % v for v in vec[:8]))
    put("jsonarr", "python-repr.txt", "array([%s], dtype=float32)\n" % ", ".join("%.5e" % v for v in vec[:8]))
    put("jsonarr", "numbers.txt", "[1e308, -1e-308, 1.5E+3, -0, .5, 5., +1, 0x10, NaN, Infinity]\n")
    put("jsonarr", "deep.json", "[" * 200 + "1" + "]" * 200)
    put("csvvec", "rows.csv", "name,face_embedding_0,e1,e2,e3\n" + "\n".join("p%d,%s" % (i, ",".join("%.5f" % v for v in unit(4, i))) for i in range(4)) + "\n")
    put("csvvec", "tsv.tsv", "\n".join("\t".join("%.5f" % v for v in unit(8, i)) for i in range(3)) + "\n")
    put("csvvec", "column.txt", "\n".join("%.6e" % v for v in vec[:32]) + "\n")
    put("csvvec", "spaces.txt", "# embedding\n" + " ".join("%.4f" % v for v in vec[:16]) + "\n")
    put("csvvec", "quoted.csv", 'a,"b,c",3\n"x""y",1.5,2\n')

    # base64: first byte is the output capacity
    put("base64", "std", b"\x40" + base64.b64encode(bytes(range(40))))
    put("base64", "url", b"\xff" + base64.urlsafe_b64encode(bytes(range(200, 250))).rstrip(b"="))
    put("base64", "json-escaped", b"\x20" + base64.b64encode(bytes(range(60))).replace(b"/", b"\\/").replace(b"+", b"\\u002b"))
    put("base64", "wrapped", b"\x80" + b"\\n".join(base64.b64encode(bytes(range(90)))[i:i + 20] for i in range(0, 120, 20)))
    put("base64", "small-cap", b"\x03" + base64.b64encode(b"abcdefgh"))
    put("base64", "vector", b"\xff" + vec_b64[:200].encode())

    # mustache
    put("mustache", "vars", "Hello {{name}} {{{name}}} {{&name}} {{count}} {{ratio}} {{nested.deep.x}}\n")
    put("mustache", "sections", "{{#items}}- {{name}}={{value}}\n{{/items}}{{^empty}}none{{/empty}}{{#flag}}on{{/flag}}")
    put("mustache", "partials", "{{>row}}{{#items}}{{>row}}{{/items}}{{>self}}")
    put("mustache", "delims", "{{=<% %>=}}<% name %><%={{ }}=%>{{name}}\n  {{! comment }}\n")
    put("mustache", "standalone", "  {{#items}}\n  {{name}}\n  {{/items}}\n{{missing}}")
    put("mustache", "unclosed", "{{#items}}{{name}")
    for f in sorted(os.listdir(os.path.join(TOP, "templates"))):
        with open(os.path.join(TOP, "templates", f), "rb") as fh:
            put("mustache", f, fh.read()[:3000])

    # policy
    p = os.path.join(TOP, "samples", "policy.yaml")
    if os.path.exists(p):
        with open(p, "rb") as fh:
            put("policy", "sample.yaml", fh.read())
    put("policy", "preset.yaml", "name: p\npreset: bipa\nrules:\n  - categories: [face_image]\n    match: ['**/*.jpg', 's3://b/x/']\n    max_age: 90d\n    basis: consent\n"
        "default:\n  max_age: 3y\nlegal_holds:\n  - match: 'exports/**'\n    reason: litigation\n")
    put("policy", "gdpr.yaml", "preset: gdpr\ndefault: {max_age: 18m, basis: 'art. 9(2)(a)'}\n")
    put("policy", "bad.yaml", "rules: [ {max_age: 12x} ]\n")

    # scandoc: a small document in the contract's shape
    loc = {"target": "c", "path": "c/a.zip", "uri": "file:///c/a.zip", "members": ["x.jpg"], "line": None, "offset": None, "length": None}
    doc = {"tool": {"name": "faceaudit", "version": "0.1.0", "rules_digest": "ab"},
           "scan": {"id": "1", "started_at": "2024-05-01T10:00:00Z", "finished_at": "2024-05-01T10:00:01+02:00", "targets": ["c"], "complete": False},
           "objects": [{"location": loc, "size": 10, "mtime": "2023-01-01T00:00:00Z", "type": "image/jpeg", "etag": None, "encryption": None}],
           "findings": [{"rule_id": "r", "category": "face_image", "severity": "high", "confidence": 0.9, "message": "m",
                         "location": loc, "evidence": {"sha256": "00", "faces": 1}, "fingerprint": "ff"}],
           "errors": [{"location": loc, "code": "corrupt_archive", "message": "bad"}],
           "limits": [{"location": loc, "limit": "max_member_size", "value": 1}],
           "stats": {"objects": 1, "bytes": 10, "findings": 1, "seconds": 0.1},
           "buckets": [{"bucket": "b", "public_access_block": True, "encryption": "AES256", "versioning": "Enabled",
                        "lifecycle": [{"prefix": "", "expiration_days": 30}]}]}
    put("scandoc", "doc.json", json.dumps(doc, indent=1))
    put("scandoc", "empty.json", json.dumps({"objects": [], "findings": []}))
    put("scandoc", "times.json", json.dumps({"scan": {"started_at": "10/Oct/2023:13:55:36 +0000", "finished_at": "2024-02-29"}}))

    # archive walk
    arc = {
        "zip": zipbytes([("a/b.txt", b"hello\n"), ("c.jpg", tiny_jpg)]),
        "zip-stored": zipbytes([("x", b"data")], zipfile.ZIP_STORED),
        "zip-nested": zipbytes([("inner.zip", zipbytes([("deep.tar", tarbytes([("f", b"x")]))]))]),
        "tar": tarbytes([("a", b"x"), ("dir/b.png", tiny_png)]),
        "tgz": tarbytes([("a", b"x" * 100)], "w:gz"),
        "tbz2": tarbytes([("a", b"y" * 100)], "w:bz2"),
        "txz": tarbytes([("a", b"z" * 100)], "w:xz"),
        "gz": gzip.compress(b"line\n" * 20),
        "ratio-gz": gzip.compress(b"\x00" * 200000),
        "bz2": bz2.compress(b"abc\n" * 10),
        "xz": lzma.compress(b"abc\n" * 10),
        "ar": b"!<arch>\n" + b"a.txt/          0           0     0     644     6         `\n" + b"hello\n",
        "cpio": b"070707" + b"0" * 50 + b"000005" + b"00000000002" + b"a\x00" + b"hello" + b"070707" + b"0" * 50 + b"000013" + b"00000000000" + b"TRAILER!!!\x00",
    }
    for n, d in arc.items():
        put("archive", n, d)

    # pipeline: the shipped rules over typical objects
    pl = {
        "vendor.log": "10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] \"POST https://api-us.faceplusplus.com/facepp/v3/detect HTTP/1.1\" 200\n"
                      "client = boto3.client('rekognition'); client.detect_faces(Image={'Bytes': b})\n"
                      "https://westeurope.api.cognitive.microsoft.com/face/v1.0/detect\n",
        "emb.jsonl": '{"user": 1, "face_embedding": %s}\n' % json.dumps([round(v, 6) for v in vec]),
        "b64.log": "embedding_b64=%s\n" % vec_b64,
        "datauri.html": '<img src="data:image/png;base64,%s">\n' % base64.b64encode(tiny_png).decode(),
        "emb.npy": npy((2, 128)),
        "emb.csv": "id,e0\n" + "\n".join("%d,%s" % (i, ",".join("%.6f" % v for v in unit(128, i))) for i in range(2)) + "\n",
        "emb.zip": zipbytes([("faces/emb.npy", npy((1, 128))), ("log.txt", b"faceplusplus.com/facepp/v3/detect\n")]),
        "img.png": tiny_png,
    }
    for i, (n, d) in enumerate(pl.items()):
        # The first byte picks the object name in fuzz_pipeline; seeds keep theirs.
        put("pipeline", n, d)

    s3xml_corpus()
    metadata_corpus(tiny_jpg)

S3NS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'

def s3_contents(key, size, sc="STANDARD"):
    return ("<Contents><Key>%s</Key><LastModified>2026-11-26T23:25:25.000Z</LastModified>"
            "<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>%d</Size>"
            "<StorageClass>%s</StorageClass></Contents>" % (key, size, sc))

def s3xml_corpus():
    # Listing pages (v1 and v2), error bodies, the six posture answers, hostile documents
    # (entities, no namespace, deep nesting) and a response header block for the redactor.
    x = '<?xml version="1.0" encoding="UTF-8"?>\n'
    put("s3xml", "list-v2", x + "<ListBucketResult%s><Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount>"
        "<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1/abc==</NextContinuationToken>%s%s"
        "</ListBucketResult>" % (S3NS, s3_contents("a/b.jpg", 10), s3_contents("a/c d.log", 0, "GLACIER")))
    put("s3xml", "list-v1", x + "<ListBucketResult%s><Name>b</Name><Marker>a</Marker><NextMarker>z</NextMarker>"
        "<IsTruncated>true</IsTruncated>%s</ListBucketResult>" % (S3NS, s3_contents("x&amp;y", 3)))
    put("s3xml", "list-v1-nomarker", x + "<ListBucketResult><IsTruncated>TRUE</IsTruncated>%s<Contents><Size>1</Size></Contents>"
        "</ListBucketResult>" % s3_contents("last", 5))
    put("s3xml", "list-empty", "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
    put("s3xml", "error", x + "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
        "<BucketName>b</BucketName><RequestId>1</RequestId></Error>")
    put("s3xml", "error-slowdown", "<Error><Code>SlowDown</Code><Message>%s</Message></Error>" % ("m" * 400))
    put("s3xml", "pab", x + "<PublicAccessBlockConfiguration%s><BlockPublicAcls>true</BlockPublicAcls>"
        "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy>"
        "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>" % S3NS)
    put("s3xml", "policy-status", "<PolicyStatus><IsPublic>true</IsPublic></PolicyStatus>")
    put("s3xml", "acl", x + '<AccessControlPolicy xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Owner><ID>o</ID></Owner>'
        '<AccessControlList><Grant><Grantee xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>'
        '</Grantee><Permission>READ</Permission></Grant><Grant><Grantee xsi:type="CanonicalUser"><ID>o</ID></Grantee>'
        '<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>')
    put("s3xml", "encryption", "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
        "<SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")
    put("s3xml", "versioning", "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")
    put("s3xml", "versioning-empty", "<VersioningConfiguration/>")
    put("s3xml", "lifecycle", "<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>logs/</Prefix></And></Filter>"
        "<Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule><Rule><Prefix>old/</Prefix>"
        "<Status>Enabled</Status><Expiration><Date>2027-01-01T00:00:00Z</Date></Expiration></Rule>"
        "<Rule><Filter><Prefix>tmp/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>"
        "</LifecycleConfiguration>")
    ents = "".join('<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10 if i else "lol") for i in range(10))
    put("s3xml", "bomb", '<?xml version="1.0"?><!DOCTYPE ListBucketResult [%s]><ListBucketResult>'
        "<IsTruncated>false</IsTruncated><Contents><Key>&l9;</Key></Contents></ListBucketResult>" % ents)
    put("s3xml", "external-entity", '<?xml version="1.0"?><!DOCTYPE Error [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<Error><Code>&x;</Code></Error>")
    put("s3xml", "deep", "<ListBucketResult>" + "<a>" * 300 + "</a>" * 300 + "</ListBucketResult>")
    put("s3xml", "utf16", ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><Error><Code>AccessDenied</Code></Error>").encode("utf-16"))
    put("s3xml", "headers", "HTTP/1.1 200 OK\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=ab\r\n"
        "Last-Modified: Thu, 26 Nov 2026 23:25:25 GMT\r\nx-amz-security-token: SECRETKEYEXAMPLE\r\n"
        "Location: /b/k?X-Amz-Signature=abc&X-Amz-Credential=SECRETKEYEXAMPLE&x=1\r\n\r\n")
    put("s3xml", "time-rfc3339", "2026-11-26T23:25:25.000Z")

def xmp_packet(body):
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" %s'
            '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>' % body).encode()

def metadata_corpus(tiny_jpg):
    # XMP in JPEG APP1 (standard and extended), PNG iTXt and WebP chunks; the three region
    # schemas; .picasa.ini text (ends in an odd byte: fuzz_metadata then names it so).
    mwg = xmp_packet('xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/">'
                     '<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag>'
                     '<rdf:li mwg-rs:Type="Face" mwg-rs:Name="A"/><rdf:li><rdf:Description mwg-rs:Type="Pet"/></rdf:li>'
                     '<rdf:li><mwg-rs:Type>Face</mwg-rs:Type><mwg-rs:Name> </mwg-rs:Name></rdf:li>'
                     '</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>')
    mp = xmp_packet('xmlns:MP="http://ns.microsoft.com/photo/1.2/" xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#">'
                    '<MP:RegionInfo><rdf:Bag><rdf:li MPReg:Rectangle="0.1, 0.1, 0.2, 0.2" MPReg:PersonDisplayName="B"/>'
                    '</rdf:Bag></MP:RegionInfo>')
    iptc = xmp_packet('xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
                      '<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>C</rdf:li><rdf:li> </rdf:li></rdf:Bag>'
                      '</Iptc4xmpExt:PersonInImage>')
    def app1(payload):
        return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    std = b"http://ns.adobe.com/xap/1.0/\x00"
    ext = b"http://ns.adobe.com/xmp/extension/\x00" + b"0" * 32 + struct.pack(">II", len(mp), 0)
    j = tiny_jpg
    put("metadata", "jpg-mwg", j[:2] + app1(std + mwg) + j[2:])
    put("metadata", "jpg-mp-ext", j[:2] + app1(std + b"<x/>") + app1(ext + mp) + j[2:])
    put("metadata", "jpg-iptc", j[:2] + app1(std + iptc) + j[2:])
    put("metadata", "jpg-truncated-seg", j[:2] + b"\xff\xe1\xff\xf0" + std + mwg[:50])
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    itxt = chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + mwg)
    put("metadata", "png-itxt", b"\x89PNG\r\n\x1a\n" + ihdr + itxt + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))
    put("metadata", "png-itxt-compressed", b"\x89PNG\r\n\x1a\n" + ihdr + chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + zlib.compress(mp)) + chunk(b"IEND", b""))
    # Compressed PNG text (zTXt XMP, ImageMagick raw-profile hex in zTXt / tEXt, corrupt zlib,
    # a small bomb) and TIFF tag 700 (II, MM, BigTIFF, an offset outside the file). TIFF seeds
    # end in an even byte so fuzz_metadata names them photo.jpg (the type comes from the bytes).
    def png(*cs):
        return b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(cs) + chunk(b"IEND", b"")
    def raw(x):
        h = x.hex()
        return b"\nxmp\n%8d\n" % len(x) + b"".join(h[i:i + 72].encode() + b"\n" for i in range(0, len(h), 72))
    put("metadata", "png-ztxt-xmp", png(chunk(b"zTXt", b"XML:com.adobe.xmp\x00\x00" + zlib.compress(mwg))))
    put("metadata", "png-ztxt-raw", png(chunk(b"zTXt", b"Raw profile type xmp\x00\x00" + zlib.compress(raw(mp)))))
    put("metadata", "png-text-raw", png(chunk(b"tEXt", b"Raw profile type xmp\x00" + raw(iptc))))
    zc = zlib.compress(mwg)
    put("metadata", "png-itxt-corrupt", png(chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + zc[:2] + bytes(b ^ 0x5A for b in zc[2:40]))))
    put("metadata", "png-itxt-bomb", png(chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + zlib.compress(mwg + b" " * (1 << 20), 9))))
    def tiff(be, x, off=None, big=False):
        e = ">" if be else "<"
        h = b"MM" if be else b"II"
        if big:
            o = 16 + 8 + 20 + 8 if off is None else off
            return h + struct.pack(e + "HHHQQ", 43, 8, 0, 16, 1) + struct.pack(e + "HHQQ", 700, 7, len(x), o) + struct.pack(e + "Q", 0) + x + b"\x00"
        o = 8 + 2 + 12 + 4 if off is None else off
        return h + struct.pack(e + "HIH", 42, 8, 1) + struct.pack(e + "HHII", 700, 7 if be else 1, len(x), o) + struct.pack(e + "I", 0) + x + b"\x00"
    put("metadata", "tiff-ii", tiff(False, mwg))
    put("metadata", "tiff-mm", tiff(True, mp))
    put("metadata", "bigtiff-mm", tiff(True, iptc, big=True))
    put("metadata", "tiff-badoff", tiff(False, mwg, off=0xFFFFFF00))
    xmpc = b"XMP " + struct.pack("<I", len(iptc)) + iptc + (b"\x00" if len(iptc) & 1 else b"")
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x04\x00\x00\x00" + struct.pack("<I", 15)[:3] + struct.pack("<I", 15)[:3]
    put("metadata", "webp-xmp", b"RIFF" + struct.pack("<I", 4 + len(vp8x) + len(xmpc)) + b"WEBP" + vp8x + xmpc)
    put("metadata", "picasa.ini", "[Picasa]\nname=album\n[IMG_0001.jpg]\nfaces=rect64(3f845bcb59418507),8e62398ebda8c1a5;"
        "rect64(9eb15e89b6b584c1),d10a8325c557b085\n[IMG_0002.jpg]\n  FACES=rect64(0)\n#")
    for f in ("xmp-mwg-face.jpg", "xmp-mp-person.jpg", "xmp-iptc-person.jpg", "xmp-mwg-pet.jpg"):
        p = os.path.join(TOP, "rules", "examples", f)
        if os.path.exists(p):
            with open(p, "rb") as fh:
                put("metadata", "example-" + f, fh.read())

if __name__ == "__main__":
    main()
