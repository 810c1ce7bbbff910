#!/usr/bin/env python3
"""Counts the cells a heatmap PNG shows along one pixel row and one pixel column (tests of
fy_plot_heatmaps, tests/test_plot.c).

    png_cells.py FILE.png

Decodes the PNG with the standard library (zlib and the five row filters; 8-bit RGB or
RGBA, not interlaced), takes the pixel row through the middle of the image and the pixel
column through the first quarter of the first coloured run (off the ticks at the cell centres), and prints, for each, the
coloured runs at least 8 pixels long ('row W1 W2 ...', 'col H1 H2 ...'): a run is a stretch
of identical colours other than grey (white, black and the greys of text and frames).
A heatmap of R x C distinct values, one panel, shows R runs of equal width and then the
colour bar's narrow run on the row, and C runs of equal height on the column."""
import struct
import sys
import zlib


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    pos, idat, w = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise SystemExit("%s: depth %d colour type %d interlace %d not supported"
                                 % (path, depth, ctype, interlace))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return rows


def runs(pixels, minlen=8):
    out, start = [], 0
    for i in range(1, len(pixels) + 1):
        if i == len(pixels) or pixels[i] != pixels[start]:
            r, g, b = pixels[start]
            if i - start >= minlen and not (r == g == b):
                out.append((start, i - start))
            start = i
    return out


def main():
    img = decode(sys.argv[1])
    h, w = len(img), len(img[0])
    row = runs(img[h // 2])
    if not row:
        raise SystemExit("no coloured run on the middle row")
    x = row[0][0] + row[0][1] // 4  # off the cell centre, where the ticks are
    col = runs([img[y][x] for y in range(h)])
    print("row", " ".join(str(n) for _, n in row))
    print("col", " ".join(str(n) for _, n in col))


if __name__ == "__main__":
    main()
