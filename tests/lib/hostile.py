#!/usr/bin/env python3
"""Hostile fixtures for tests/e2e/hostile_*.sh (python3 standard library only).
Everything is generated small on disk (or streamed to stdout) in seconds.

  hostile.py nested-zip OUT [FANOUT LEVELS LEAF_BYTES [FILL]]  42.zip-style zip of zips
  hostile.py deep-zip OUT LEVELS                        one zip inside another, LEVELS deep
  hostile.py ratio-zip OUT MIB [FILL]                   one bzip2 member of MIB MiB of FILL
                                                        (default NUL bytes; "a\\n" = text lines)
  hostile.py overlap-zip OUT COUNT MIB                  COUNT central-directory entries that all
                                                        point at one MIB MiB deflated member
  hostile.py huge-tar OUT                               a tar member whose header claims 1 TB
  hostile.py many-tar COUNT                             a tar of COUNT empty members, to stdout
  hostile.py png-bomb OUT W H | jpeg-bomb | webp-bomb   image headers claiming W x H pixels
  hostile.py png OUT W H [truncate]                     a small valid (or truncated) PNG
  hostile.py jpeg-meta OUT MIB [BASE.jpg]               a JPEG with MIB MiB of APPn segments
"""
import bz2, io, struct, sys, tarfile, zipfile, zlib

def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()

def nested_zip(out, fanout=16, levels=4, leaf=1 << 20, fill=b"\0"):
    zeros = (fill * (leaf // len(fill) + 1))[:leaf]
    cur = zip_bytes([("%x.bin" % i, zeros) for i in range(fanout)])
    for lvl in range(1, levels):
        cur = zip_bytes([("l%d-%x.zip" % (lvl, i), cur) for i in range(fanout)])
    open(out, "wb").write(cur)

def deep_zip(out, levels):
    cur = zip_bytes([("core.txt", b"the innermost member\n")])
    for lvl in range(levels):
        cur = zip_bytes([("d%d.zip" % lvl, cur)])
    open(out, "wb").write(cur)

def ratio_zip(out, mib, fill=b"\0"):
    c = bz2.BZ2Compressor(9)
    z = fill * ((1 << 20) // len(fill))
    body = b"".join(c.compress(z) for _ in range(mib)) + c.flush()
    size = mib << 20
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(z, crc)
    name = b"zeros.bin"
    # version 46, bzip2 = method 12
    lh = struct.pack("<IHHHHHIIIHH", 0x04034b50, 46, 0, 12, 0, 0, crc, len(body), size, len(name), 0) + name
    cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 46, 46, 0, 12, 0, 0, crc, len(body), size,
                     len(name), 0, 0, 0, 0, 0, 0) + name
    eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 1, 1, len(cd), len(lh) + len(body), 0)
    open(out, "wb").write(lh + body + cd + eocd)

def overlap_zip(out, count, mib):
    """David Fifield's overlapping-files construction, simplified: one local file and a
    central directory of `count` entries that all name offset 0."""
    z = b"\0" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = b"".join(c.compress(z) for _ in range(mib)) + c.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(z, crc)
    size = mib << 20
    lh = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0, crc, len(body), size, 5, 0) + b"k.bin"
    cds = []
    for i in range(count):
        name = b"o%06d.bin" % i
        cds.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, 8, 0, 0, crc, len(body),
                               size, len(name), 0, 0, 0, 0, 0, 0) + name)
    cd = b"".join(cds)
    eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, count, count, len(cd), len(lh) + len(body), 0)
    open(out, "wb").write(lh + body + cd + eocd)

def huge_tar(out):
    ti = tarfile.TarInfo("claims-1TB.bin")
    ti.size = 1 << 40
    hdr = ti.tobuf(format=tarfile.GNU_FORMAT)       # size in GNU base-256
    ti2 = tarfile.TarInfo("after.txt")
    data = b"face_embedding = [0.1, 0.2]\n"
    ti2.size = len(data)
    rest = ti2.tobuf(format=tarfile.GNU_FORMAT) + data + b"\0" * (512 - len(data))
    # The claimed data is not there: the archive ends after 64 KiB of zeros and a member.
    open(out, "wb").write(hdr + b"\0" * 65536 + rest + b"\0" * 1024)

def many_tar(count):
    """count empty members, written straight to stdout: headers only (512 bytes each)."""
    w = sys.stdout.buffer
    base = bytearray(tarfile.TarInfo("x").tobuf(format=tarfile.USTAR_FORMAT))
    buf = []
    for i in range(count):
        h = bytearray(base)
        name = b"m/%07d" % i
        h[0:100] = name + b"\0" * (100 - len(name))
        h[148:156] = b" " * 8
        h[148:156] = b"%06o\0 " % sum(h)
        buf.append(bytes(h))
        if len(buf) == 4096:
            try:
                w.write(b"".join(buf))
            except BrokenPipeError:
                return
            buf = []
    try:
        w.write(b"".join(buf) + b"\0" * 1024)
        w.flush()
    except BrokenPipeError:
        pass

def png_chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)

def png(out, w, h, truncate=False):
    raw = b"".join(b"\0" + bytes([(x * 7 + y * 3) & 255 for x in range(w * 3)]) for y in range(h))
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
    open(out, "wb").write(data[: len(data) // 2] if truncate else data)

def png_bomb(out, w, h):
    # A valid IHDR and a tiny IDAT: a decoder trusting the header allocates w*h*3 bytes.
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        png_chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + png_chunk(b"IEND", b"")
    open(out, "wb").write(data)

def jpeg(w, h, extra=b""):
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    sos = b"\xff\xda" + struct.pack(">H", 12) + b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + app0 + extra + sof + sos + b"\x00" * 64 + b"\xff\xd9"

def jpeg_bomb(out, w, h):
    # JPEG dimensions are 16-bit: 65535 x 65535 (4.3 GP) is the largest a header can claim.
    open(out, "wb").write(jpeg(min(w, 65535), min(h, 65535)))

def webp_bomb(out, w, h):
    w, h = min(w, 1 << 24), min(h, 1 << 24)
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x10\x00\x00\x00" + struct.pack("<I", w - 1)[:3] + struct.pack("<I", h - 1)[:3]
    vp8l = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", ((min(w, 16384) - 1) | ((min(h, 16384) - 1) << 14)))[:4] + b"\0"
    body = b"WEBP" + vp8x + vp8l
    open(out, "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)

def jpeg_meta(out, mib, base=None):
    """MIB MiB of APP2 segments after SOI: in BASE (a real JPEG) or a header-only one."""
    seg = b"\xff\xe2" + struct.pack(">H", 65535) + b"ICC_PROFILE\0" + b"\x41" * (65533 - 12)
    n = (mib << 20) // len(seg) + 1
    if base:
        data = open(base, "rb").read()
        open(out, "wb").write(data[:2] + seg * n + data[2:])
    else:
        open(out, "wb").write(jpeg(16, 16, seg * n))

def main(a):
    cmd = a[0]
    if cmd == "nested-zip":
        nested_zip(a[1], *[int(x) for x in a[2:5]],
                   **({"fill": a[5].encode().decode("unicode_escape").encode()} if len(a) > 5 else {}))
    elif cmd == "deep-zip":
        deep_zip(a[1], int(a[2]))
    elif cmd == "ratio-zip":
        ratio_zip(a[1], int(a[2]), a[3].encode().decode("unicode_escape").encode() if len(a) > 3 else b"\0")
    elif cmd == "overlap-zip":
        overlap_zip(a[1], int(a[2]), int(a[3]))
    elif cmd == "huge-tar":
        huge_tar(a[1])
    elif cmd == "many-tar":
        many_tar(int(a[1]))
    elif cmd == "png":
        png(a[1], int(a[2]), int(a[3]), len(a) > 4)
    elif cmd == "png-bomb":
        png_bomb(a[1], int(a[2]), int(a[3]))
    elif cmd == "jpeg-bomb":
        jpeg_bomb(a[1], int(a[2]), int(a[3]))
    elif cmd == "webp-bomb":
        webp_bomb(a[1], int(a[2]), int(a[3]))
    elif cmd == "jpeg-meta":
        jpeg_meta(a[1], int(a[2]), a[3] if len(a) > 3 else None)
    else:
        sys.exit("unknown fixture " + cmd)

if __name__ == "__main__":
    main(sys.argv[1:])
