#!/usr/bin/env python3
"""Builds small RAR archives with STORED (uncompressed) members, for tests.

No rar tool is free software, so the fixtures are written byte by byte from the format
descriptions (RAR 4.x "technote" and RAR 5.0 "rarformat"), as libarchive reads them
(archive_read_support_format_rar.c / _rar5.c).

usage: mkrar.py [--rar5] [--corrupt-crc] [--bad-header-crc] [--truncate-header] OUT.rar NAME=FILE...
  NAME=FILE        store FILE's bytes as member NAME (FILE '-' is empty)
  --rar5           RAR 5.0 format (default RAR 4.x)
  --corrupt-crc    flip one byte of the first member's data (its CRC32 no longer matches)
  --bad-header-crc flip one byte of the first file header's CRC field
  --truncate-header  end the archive in the middle of the first file header

Note: libarchive (3.6 to 3.8 at least) returns end-of-data for a STORED RAR 4.x member
before it compares the data CRC32, and RAR 5.0 stored data is not checked either, so a
--corrupt-crc archive still reads "cleanly" there; --bad-header-crc is what it rejects.
"""
import struct
import sys
import zlib

RAR4_MARK = b"Rar!\x1a\x07\x00"
RAR5_MARK = b"Rar!\x1a\x07\x01\x00"
DOS_TIME = (45 << 25) | (1 << 21) | (1 << 16)  # 2025-01-01 00:00:00, MS-DOS format


def crc32(b):
    return zlib.crc32(b) & 0xFFFFFFFF


# ---------------------------------------------------------------- RAR 4.x
def rar4_block(htype, flags, body):
    """HEAD_CRC(2) HEAD_TYPE(1) HEAD_FLAGS(2) HEAD_SIZE(2) body; the CRC is the low 16
    bits of the CRC32 of everything after the CRC field."""
    rest = struct.pack("<BHH", htype, flags, 7 + len(body)) + body
    return struct.pack("<H", crc32(rest) & 0xFFFF) + rest


def rar4(members):
    """[(name, data)] -> (archive bytes, offset of the first member's data,
    offset of the first file header)."""
    out = bytearray(RAR4_MARK)
    out += rar4_block(0x73, 0, b"\0\0" + b"\0\0\0\0")  # MAIN_HEAD: RESERVED1(2) RESERVED2(4)
    first_data = first_head = None
    for name, data in members:
        nm = name.encode()
        body = struct.pack("<IIBIIBBHI", len(data), len(data), 3,  # PACK/UNP size, HOST_OS unix
                           crc32(data), DOS_TIME, 29, 0x30,        # FILE_CRC FTIME UNP_VER METHOD
                           len(nm), 0o100644) + nm                 # NAME_SIZE ATTR (unix mode) NAME
        if first_head is None:
            first_head = len(out)
        # 0x8000: a data area follows the header (LONG_BLOCK); 0x0020: 128 KB dictionary
        out += rar4_block(0x74, 0x8000 | 0x20, body)
        if first_data is None:
            first_data = len(out)
        out += data
    out += rar4_block(0x7B, 0x4000, b"")  # ENDARC_HEAD
    return bytes(out), first_data, first_head


# ---------------------------------------------------------------- RAR 5.0
def vint(n):
    b = bytearray()
    while True:
        c = n & 0x7F
        n >>= 7
        if n:
            b.append(c | 0x80)
        else:
            b.append(c)
            return bytes(b)


def rar5_block(htype, hflags, fields, data_size=None):
    """CRC32(4) HeaderSize(vint) HeaderType HeaderFlags [DataSize] fields; the CRC covers
    the header from the size field on; HeaderSize counts from the type field on."""
    h = vint(htype) + vint(hflags | (0x02 if data_size is not None else 0))
    if data_size is not None:
        h += vint(data_size)
    h += fields
    sized = vint(len(h)) + h
    return struct.pack("<I", crc32(sized)) + sized


def rar5(members):
    out = bytearray(RAR5_MARK)
    out += rar5_block(1, 0, vint(0))  # main archive header, archive flags 0
    first_data = first_head = None
    for name, data in members:
        nm = name.encode()
        fields = (vint(0x04)                       # file flags: data CRC32 present
                  + vint(len(data))                # unpacked size
                  + vint(0o100644)                 # attributes (unix mode)
                  + struct.pack("<I", crc32(data))
                  + vint(0)                        # compression: version 0, store, 128 KB
                  + vint(1)                        # host OS: unix
                  + vint(len(nm)) + nm)
        if first_head is None:
            first_head = len(out)
        out += rar5_block(2, 0, fields, data_size=len(data))
        if first_data is None:
            first_data = len(out)
        out += data
    out += rar5_block(5, 0, vint(0))  # end of archive
    return bytes(out), first_data, first_head


def main(argv):
    fmt, corrupt, badhdr, truncate, args = rar4, False, False, False, []
    for a in argv[1:]:
        if a == "--rar5":
            fmt = rar5
        elif a == "--corrupt-crc":
            corrupt = True
        elif a == "--bad-header-crc":
            badhdr = True
        elif a == "--truncate-header":
            truncate = True
        else:
            args.append(a)
    if len(args) < 2 or any("=" not in a for a in args[1:]):
        sys.stderr.write(__doc__)
        return 2
    members = []
    for spec in args[1:]:
        name, path = spec.split("=", 1)
        if path == "-":
            data = b""
        else:
            with open(path, "rb") as f:
                data = f.read()
        members.append((name, data))
    blob, first_data, first_head = fmt(members)
    if corrupt:
        if not members[0][1]:
            sys.stderr.write("mkrar: --corrupt-crc needs a non-empty first member\n")
            return 2
        b = bytearray(blob)
        b[first_data] ^= 0x01
        blob = bytes(b)
    if badhdr:
        b = bytearray(blob)
        b[first_head] ^= 0x01  # both formats start a header with its CRC
        blob = bytes(b)
    if truncate:
        blob = blob[:first_head + 10]
    with open(args[0], "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
