#!/usr/bin/python3
"""Generates labelled face-template corpora for the `vector` rule kind (issue 4).

    templates_corpus.py corpus DIR [--scale N] [--seed S]   labelled corpus + DIR/labels.tsv
    templates_corpus.py samples DIR                        small demo files (samples/embeddings)
    templates_corpus.py examples DIR                       tiny rule-pack example files

Everything is synthetic: positives are shaped like real models' templates (unit-norm 512-d
float32 as ArcFace/FaceNet normed embeddings; dlib/face_recognition 128-d float64 with norm
~1.3 and elements within +-0.4; raw InsightFace 512-d with norms 15-30; raw SFace 128-d),
negatives are the look-alikes the kind must reject (softmax outputs, histograms, 3-D points,
sensor series, word and sentence vectors, CLIP vectors named as such, image arrays, random
bytes in base64; tables of ids and counts). CSV/TSV exports also come with numeric id
columns next to the vector (csvid/). labels.tsv: <relative path>\t<1|0>\t<what>.
Needs python3 and numpy only (Debian python3-numpy).
"""
import base64, io, json, os, pickle, struct, sys, zipfile
import numpy as np

R = None


def unit(d, n=1, dt=np.float32):
    x = R.standard_normal((n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(dt)


def dlib(n=1):
    # public face_recognition encodings: norm ~1.3, elements within about +-0.4
    x = R.standard_normal((n, 128)) * 0.115
    return np.clip(x, -0.45, 0.45).astype(np.float64)


def arcface_raw(n=1):
    return (unit(512, n, np.float64) * R.uniform(15, 30, (n, 1))).astype(np.float32)


def sface_raw(n=1):
    return (unit(128, n, np.float64) * R.uniform(6, 20, (n, 1))).astype(np.float32)


POS = {
    "arcface-unit-512": lambda n: unit(512, n),
    "facenet-unit-128": lambda n: unit(128, n),
    "dlib-128": dlib,
    "arcface-raw-512": arcface_raw,
    "sface-raw-128": sface_raw,
}


def softmax(d, n):
    z = np.exp(R.standard_normal((n, d)) * 2)
    return (z / z.sum(axis=1, keepdims=True)).astype(np.float32)


def sensor(d, n):
    t = np.linspace(0, 4 * np.pi, d)
    out = []
    for i in range(n):
        if i % 2:
            out.append(np.cumsum(R.standard_normal(d)) * 0.05)          # random walk
        else:
            out.append(np.sin(t * R.uniform(0.5, 2)) * R.uniform(0.5, 2) + R.standard_normal(d) * 0.05)
    return np.array(out, dtype=np.float32)


NEG = {
    "softmax-128": lambda n: softmax(128, n),
    "softmax-512": lambda n: softmax(512, n),
    "histogram-counts-128": lambda n: R.poisson(20, (n, 128)).astype(np.float32),
    "histogram-l1-512": lambda n: (lambda h: (h / h.sum(axis=1, keepdims=True)).astype(np.float32))(R.poisson(5, (n, 512)) + 0.0),
    "histogram-l2-512": lambda n: (lambda h: (h / np.linalg.norm(h, axis=1, keepdims=True)).astype(np.float32))(R.poisson(5, (n, 512)) + 0.0),
    "points-3d": lambda n: R.standard_normal((max(n, 64), 3)).astype(np.float32),
    "sensor-128": lambda n: sensor(128, n),
    "sensor-512": lambda n: sensor(512, n),
    "word-300": lambda n: (R.standard_normal((n, 300)) * 0.4).astype(np.float32),
    "sentence-384": lambda n: unit(384, n),
    "sentence-768": lambda n: unit(768, n),
    "pixels-128": lambda n: R.integers(0, 256, (n, 128)).astype(np.float32),
    # a linear layer's weight rows: gaussian, norm ~1 +- 3 % (not the exact unit norm of templates)
    "weights-512": lambda n: (R.standard_normal((max(n, 8), 512)) / np.sqrt(512)).astype(np.float32),
    "image-float-128": lambda n: np.clip(np.linspace(0, 1, 128)[None, :] + R.standard_normal((n, 128)) * 0.01, 0, 1).astype(np.float32),
}
# named look-alikes: 512-d unit vectors that say they are CLIP/text embeddings
NAMED_NEG = {"clip-text-512": lambda n: unit(512, n)}


def fmt(v, nd):
    return "[" + ",".join(("%.*g" % (nd, float(x))) for x in v) + "]"


# ---------------------------------------------------------------- containers

def npy_bytes(a, version=None):
    b = io.BytesIO()
    if version:
        np.lib.format.write_array(b, a, version=version)
    else:
        np.save(b, a)
    return b.getvalue()


def faiss_flat(a, fourcc=b"IxF2"):
    a = np.ascontiguousarray(a, dtype="<f4")
    n, d = a.shape
    h = fourcc + struct.pack("<iqqqBi", d, n, 1 << 20, 1 << 20, 1, 1)
    return h + struct.pack("<Q", n * d) + a.tobytes()


def safetensors(tensors):
    hdr, data = {}, b""
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype="<f4")
        hdr[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [len(data), len(data) + a.nbytes]}
        data += a.tobytes()
    h = json.dumps(hdr).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def write(root, rel, data, label, what, labels):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    labels.append((rel, label, what))


def emit_all(root, name, gen, label, labels, scale, i, ctx_word):
    """One sample in each container for generator `gen`."""
    n = 3 + (i % 4)
    a = gen(n)
    d = a.shape[1]
    # npy: versions, byte orders, dtypes
    variants = [("<f4", None), ("<f8", None), (">f4", None), ("<f4", (2, 0)), ("<f4", (3, 0)), ("<f2", None)]
    dt, ver = variants[i % len(variants)]
    write(root, f"npy/{name}-{i}.npy", npy_bytes(a.astype(dt), ver), label, name, labels)
    if i % 3 == 0:
        b = io.BytesIO()
        (np.savez_compressed if i % 2 else np.savez)(b, data=a)
        write(root, f"npz/{name}-{i}.npz", b.getvalue(), label, name, labels)
    # pickles, protocols 2-5
    proto = 2 + i % 4
    if i % 2:
        obj = {f"{ctx_word}s": [row for row in a.astype(np.float64 if d == 128 else np.float32)],
               "names": [f"person{k}" for k in range(n)]}
    else:
        obj = a if i % 4 == 0 else [list(map(float, row)) for row in a]
    write(root, f"pickle/{name}-{i}.pkl", pickle.dumps(obj, protocol=proto), label, name, labels)
    # JSON document (pretty) and JSON-lines log
    doc = {"items": [{"id": k, ctx_word: [round(float(x), 7) for x in row]} for k, row in enumerate(a)]}
    write(root, f"json/{name}-{i}.json", json.dumps(doc, indent=2 if i % 2 else None), label, name, labels)
    lines = []
    for k, row in enumerate(a):
        lines.append(json.dumps({"ts": f"2025-01-0{1 + k % 9}T10:00:00Z", "level": "info", "request_id": f"r{i}-{k}",
                                 "result": {ctx_word: [round(float(x), 6) for x in row]}}))
        lines.append(json.dumps({"ts": "2025-01-01T10:00:01Z", "level": "info", "msg": "served", "ms": 12 + k}))
    write(root, f"logs/{name}-{i}.jsonl", "\n".join(lines) + "\n", label, name, labels)
    # CSV with header, pgvector text
    hdr = "id,name," + ",".join(f"{ctx_word[:3]}_{k}" for k in range(d))
    rows = [f"{k},person{k}," + ",".join("%.6g" % x for x in row) for k, row in enumerate(a)]
    write(root, f"csv/{name}-{i}.csv", hdr + "\n" + "\n".join(rows) + "\n", label, name, labels)
    # exports whose only other column is a numeric id (leading, or trailing, or both), as
    # CSV and TSV, with and without a header: the id must not hide the vector columns
    sep = "\t" if i % 2 else ","
    idname = ["person_id", "id", "index", "row"][i % 4]
    if i % 3 == 0:
        hdr = sep.join([idname] + [f"e{k}" for k in range(d)])
    elif i % 3 == 1:
        hdr = sep.join([idname] + [f"{ctx_word[:3]}_{k}" for k in range(d)] + ["frame"])
    else:
        hdr = None     # no header: only the integer column tells the id apart
    rows = []
    for k, row in enumerate(a):
        cells = [str(1000 + 7 * k)] + ["%.6g" % x for x in row]
        if i % 3 == 1:
            cells.append(str(17 + k))
        rows.append(sep.join(cells))
    write(root, f"csvid/{name}-{i}.{'tsv' if i % 2 else 'csv'}", (hdr + "\n" if hdr else "") + "\n".join(rows) + "\n",
          label, name, labels)
    pg = "".join(f"{k}\tperson{k}\t{fmt(row, 6)}\n" for k, row in enumerate(a))
    write(root, f"pgvector/{name}-{i}.tsv", pg, label, name, labels)
    # base64 float32 in a log line
    b64 = "".join(json.dumps({"ts": "2025-01-01T10:00:00Z", "id": k, f"{ctx_word}_b64":
                              base64.b64encode(np.asarray(row, dtype="<f4").tobytes()).decode()}) + "\n"
                  for k, row in enumerate(a))
    write(root, f"b64/{name}-{i}.log", b64, label, name, labels)
    # FAISS flat index and safetensors
    if i % 2 == 0:
        write(root, f"faiss/{name}-{i}.index", faiss_flat(a, b"IxF2" if i % 4 else b"IxFI"), label, name, labels)
    else:
        write(root, f"safetensors/{name}-{i}.safetensors", safetensors({f"{ctx_word}s": a}), label, name, labels)


def random_b64(root, i, labels):
    lines = []
    for k in range(3):
        raw = R.integers(0, 256, 2048 if k % 2 else 512, dtype=np.uint8).tobytes()
        lines.append(json.dumps({"ts": "2025-01-01T10:00:00Z", "id": k, "blob": base64.b64encode(raw).decode()}))
    write(root, f"b64/random-{i}.log", "\n".join(lines) + "\n", 0, "random-base64", labels)


def id_negatives(root, i, labels):
    """Tables with id columns that hold no template: integer ids and counts, integer
    histogram bins, and float columns that are a series or a probability row."""
    n = 4 + i % 3
    rows = ["user_id,visits,clicks,purchases,returns,sessions,pages,errors,seconds"]
    rows += [",".join(str(x) for x in [100 + k] + list(R.poisson(30, 8))) for k in range(n * 5)]
    write(root, f"csvid/counts-{i}.csv", "\n".join(rows) + "\n", 0, "id-and-counts", labels)
    d = 128 if i % 2 == 0 else 512
    hdr = "id," + ",".join(f"bin_{k}" for k in range(d))
    rows = [hdr] + [f"{k}," + ",".join(str(x) for x in R.poisson(12, d)) for k in range(n)]
    write(root, f"csvid/histogram-id-{i}.csv", "\n".join(rows) + "\n", 0, "histogram-with-id", labels)
    rows = [f"{k}\t" + "\t".join("%.6g" % x for x in r) for k, r in enumerate(sensor(d, n))]
    write(root, f"csvid/sensor-id-{i}.tsv", "\n".join(rows) + "\n", 0, "sensor-with-id", labels)
    rows = ["sample_id," + ",".join(f"p{k}" for k in range(d))]
    rows += [f"{k}," + ",".join("%.6g" % x for x in r) for k, r in enumerate(softmax(d, n))]
    write(root, f"csvid/softmax-id-{i}.csv", "\n".join(rows) + "\n", 0, "softmax-with-id", labels)


def corpus(root, scale):
    labels = []
    for name, gen in POS.items():
        for i in range(scale):
            emit_all(root, name, gen, 1, labels, scale, i, "embedding" if i % 3 else ("encoding" if i % 2 else "vector"))
    for name, gen in NEG.items():
        for i in range(scale):
            emit_all(root, name, gen, 0, labels, scale, i, ["values", "data", "series", "probs"][i % 4])
    for name, gen in NAMED_NEG.items():
        for i in range(scale):
            emit_all(root, name, gen, 0, labels, scale, i, "clip_text_embedding" if i % 2 else "sentence_vector")
    for i in range(scale * 2):
        random_b64(root, i, labels)
    for i in range(scale):
        id_negatives(root, i, labels)
    with open(os.path.join(root, "labels.tsv"), "w") as f:
        for rel, lab, what in labels:
            f.write(f"{rel}\t{lab}\t{what}\n")


def samples(root):
    """Small files for `make demo`: a .npy gallery, an API log line, a pickle."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "gallery.npy"), "wb") as f:
        f.write(npy_bytes(unit(512, 4)))
    a = dlib(2)
    with open(os.path.join(root, "encodings.pickle"), "wb") as f:
        pickle.dump({"encodings": [r for r in a], "names": ["alice", "bob"]}, f, protocol=4)
    with open(os.path.join(root, "api.log"), "w") as f:
        f.write(json.dumps({"ts": "2025-03-01T09:12:44Z", "level": "info", "path": "/v1/enroll", "status": 200}) + "\n")
        f.write(json.dumps({"ts": "2025-03-01T09:12:45Z", "level": "debug", "path": "/v1/enroll",
                            "response": {"face_id": "f-1029", "embedding": [round(float(x), 6) for x in unit(512)[0]]}}) + "\n")
        f.write(json.dumps({"ts": "2025-03-01T09:12:46Z", "level": "info", "path": "/v1/health", "status": 200}) + "\n")


def examples(root):
    """Tiny example files for rules/templates.yaml (each well under 8 KB)."""
    os.makedirs(root, exist_ok=True)
    open(os.path.join(root, "gallery-128.npy"), "wb").write(npy_bytes(unit(128, 3)))
    open(os.path.join(root, "softmax-128.npy"), "wb").write(npy_bytes(softmax(128, 3)))
    open(os.path.join(root, "encodings.pickle"), "wb").write(
        pickle.dumps({"encodings": [r for r in dlib(2)], "names": ["a", "b"]}, protocol=2))
    open(os.path.join(root, "series.pickle"), "wb").write(pickle.dumps([list(map(float, r)) for r in sensor(128, 2)], protocol=4))
    # text examples for the pack (printed, pasted into the YAML by hand)
    ex = {
        "json_unit": json.dumps({"face_id": "f-1", "embedding": [round(float(x), 4) for x in unit(128)[0]]}),
        "pg_dlib": "7\tbob\t" + fmt(dlib(1)[0], 4),
        "json_softmax": json.dumps({"probs": [round(float(x), 5) for x in softmax(128, 1)[0]]}),
        "json_sentence": json.dumps({"sentence_embedding": [round(float(x), 4) for x in unit(384)[0]]}),
        "b64": base64.b64encode(unit(128, 1)[0].astype("<f4").tobytes()).decode(),
        "b64_random": base64.b64encode(R.integers(0, 256, 512, dtype=np.uint8).tobytes()).decode(),
    }
    json.dump(ex, open(os.path.join(root, "text-examples.json"), "w"), indent=1)


def main():
    global R
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    scale, seed = 4, 20250101
    if "--scale" in args:
        scale = int(args[args.index("--scale") + 1])
    if "--seed" in args:
        seed = int(args[args.index("--seed") + 1])
    R = np.random.default_rng(seed)
    {"corpus": lambda: corpus(args[1], scale), "samples": lambda: samples(args[1]),
     "examples": lambda: examples(args[1])}[args[0]]()


if __name__ == "__main__":
    main()
