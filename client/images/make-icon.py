# Draws client/images/icon.png (128x128 RGBA PNG) with nothing but zlib: python3 client/images/make-icon.py
import os
import zlib, struct, math
W = H = 128
def blend(dst, src, a):
    return tuple(int(d*(1-a) + s*a) for d, s in zip(dst, src))
px = [[(0,0,0,0) for _ in range(W)] for _ in range(H)]
def rounded_rect(x0, y0, x1, y1, r, color, alpha=1.0):
    for y in range(max(0,int(y0)-1), min(H,int(y1)+2)):
        for x in range(max(0,int(x0)-1), min(W,int(x1)+2)):
            # coverage by 4x4 supersampling
            cov = 0
            for sy in range(4):
                for sx in range(4):
                    fx = x + (sx+0.5)/4; fy = y + (sy+0.5)/4
                    if fx < x0 or fx > x1 or fy < y0 or fy > y1: continue
                    cx = min(max(fx, x0+r), x1-r); cy = min(max(fy, y0+r), y1-r)
                    if (fx-cx)**2 + (fy-cy)**2 <= r*r: cov += 1
            a = cov/16*alpha
            if a <= 0: continue
            r0,g0,b0,a0 = px[y][x]
            na = a + a0*(1-a)
            if na == 0: continue
            c = tuple((s*a + d*a0*(1-a))/na for s, d in zip(color, (r0,g0,b0)))
            px[y][x] = (int(c[0]), int(c[1]), int(c[2]), na)
# background tile
rounded_rect(4, 4, 124, 124, 22, (22, 52, 92))
# the card (PCB)
rounded_rect(18, 26, 110, 86, 6, (34, 139, 94))
# chip
rounded_rect(50, 38, 78, 66, 3, (30, 30, 36))
for i in range(5):  # chip legs
    rounded_rect(53 + i*5.2, 34, 55.5 + i*5.2, 38, 0.5, (210, 210, 215))
    rounded_rect(53 + i*5.2, 66, 55.5 + i*5.2, 70, 0.5, (210, 210, 215))
# small parts
rounded_rect(26, 36, 40, 46, 2, (235, 235, 240))
rounded_rect(26, 54, 40, 64, 2, (235, 235, 240))
rounded_rect(88, 36, 102, 76, 2, (60, 60, 70))
# edge connector: gold fingers below the card, with the key notch
for i in range(16):
    x = 22 + i*5.3
    if 42 <= x <= 50: continue
    rounded_rect(x, 86, x+3.4, 100, 0.8, (232, 184, 60))
# IOMMU-ish arrow: a white bar across the bottom
rounded_rect(18, 106, 110, 112, 3, (120, 190, 255))
raw = b''
for y in range(H):
    raw += b'\x00' + b''.join(struct.pack('BBBB', r, g, b, int(round(a*255))) for r, g, b, a in px[y])
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'icon.png'), 'wb').write(png)
print(len(png))
