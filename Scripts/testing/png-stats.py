#!/usr/bin/env python3
"""Facts about a PNG screenshot, for the review page test: size, distinct colours, and the share
of pixels that differ from the most common colour (a blank page is one colour). Standard library
only (zlib): an independent reader of what the browser drew.

usage: png-stats.py <file.png> [--crop y0 y1 out.png]   (crop: rows y0..y1 into a new PNG)
"""
import json
import struct
import sys
import zlib
from collections import Counter


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        chunks.append((kind, data[offset + 8:offset + 8 + length]))
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and interlace == 0 and colour in (0, 2, 4, 6), "unsupported PNG layout"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    rows, previous, position = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[position], bytearray(raw[position + 1:position + 1 + stride])
        position += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, colour, rows


def write_png(path, width, height, colour, rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in rows)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    width, height, channels, colour, rows = read_png(sys.argv[1])
    if len(sys.argv) == 6 and sys.argv[2] == "--crop":
        y0, y1 = int(sys.argv[3]), min(height, int(sys.argv[4]))
        write_png(sys.argv[5], width, y1 - y0, colour, rows[y0:y1])
        return
    pixels = Counter()
    for row in rows[::2]:
        for x in range(0, width * channels, channels * 2):
            pixels[row[x:x + min(channels, 3)]] += 1
    total = sum(pixels.values())
    common = pixels.most_common(1)[0][1]
    print(json.dumps({"width": width, "height": height, "colours": len(pixels),
                      "notBackground": round(1 - common / total, 4)}))


if __name__ == "__main__":
    main()
