"""Renders a `tmux capture-pane -e -p` dump (text with SGR colour sequences) to a PNG.

Usage: render_ansi.py DUMP OUT.png COLUMNS ROWS
Knows the SGR codes tmux emits: reset, bold, italic, underline, reverse, 16/256/RGB colours.
"""

import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 15
# Neovim 0.11's default colour scheme: Normal is NvimLightGrey2 on NvimDarkGrey2.
DEFAULT_FG = (0xE0, 0xE2, 0xEA)
DEFAULT_BG = (0x14, 0x16, 0x1B)
BASE16 = [
    (0x07, 0x08, 0x0D), (0xFF, 0xC0, 0xB9), (0xB3, 0xF6, 0xC0), (0xFC, 0xE0, 0x94),
    (0xA6, 0xDB, 0xFF), (0xFF, 0xCA, 0xFF), (0x8C, 0xF8, 0xF7), (0xEE, 0xF1, 0xF8),
    (0x4F, 0x52, 0x58), (0xFF, 0xC0, 0xB9), (0xB3, 0xF6, 0xC0), (0xFC, 0xE0, 0x94),
    (0xA6, 0xDB, 0xFF), (0xFF, 0xCA, 0xFF), (0x8C, 0xF8, 0xF7), (0xEE, 0xF1, 0xF8),
]


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def parse_color(params, i):
    """Reads the colour after a 38 or 48 at params[i]; returns (colour, next index)."""
    if params[i + 1] == 5:
        return color256(params[i + 2]), i + 3
    if params[i + 1] == 2:
        return tuple(params[i + 2 : i + 5]), i + 5
    return None, i + 1


def cells(dump):
    """Yields rows of (char, fg, bg, bold, italic, underline)."""
    state = dict(fg=None, bg=None, bold=False, italic=False, underline=False, reverse=False)
    for line in dump.split("\n"):
        row = []
        for token in re.split(r"(\x1b\[[0-9;:]*m)", line):
            if token.startswith("\x1b["):
                params = [int(p) if p else 0 for p in re.split("[;:]", token[2:-1])] or [0]
                i = 0
                while i < len(params):
                    p = params[i]
                    if p == 0:
                        state.update(fg=None, bg=None, bold=False, italic=False, underline=False, reverse=False)
                    elif p == 1:
                        state["bold"] = True
                    elif p == 3:
                        state["italic"] = True
                    elif p in (4, 21):
                        state["underline"] = True
                    elif p == 7:
                        state["reverse"] = True
                    elif p == 22:
                        state["bold"] = False
                    elif p == 23:
                        state["italic"] = False
                    elif p == 24:
                        state["underline"] = False
                    elif p == 27:
                        state["reverse"] = False
                    elif 30 <= p <= 37:
                        state["fg"] = BASE16[p - 30]
                    elif 90 <= p <= 97:
                        state["fg"] = BASE16[p - 90 + 8]
                    elif 40 <= p <= 47:
                        state["bg"] = BASE16[p - 40]
                    elif 100 <= p <= 107:
                        state["bg"] = BASE16[p - 100 + 8]
                    elif p == 39:
                        state["fg"] = None
                    elif p == 49:
                        state["bg"] = None
                    elif p in (38, 48):
                        color, i = parse_color(params, i)
                        state["fg" if p == 38 else "bg"] = color
                        continue
                    i += 1
            else:
                for ch in token:
                    fg = state["fg"] or DEFAULT_FG
                    bg = state["bg"] or DEFAULT_BG
                    if state["reverse"]:
                        fg, bg = bg, fg
                    row.append((ch, fg, bg, state["bold"], state["italic"], state["underline"]))
        yield row


def main():
    dump_path, out_path, columns, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(dump_path, encoding="utf-8") as f:
        dump = f.read()
    fonts = {
        (False, False): ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE),
        (True, False): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE),
        (False, True): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Oblique.ttf", SIZE),
        (True, True): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-BoldOblique.ttf", SIZE),
    }
    left, top, right, bottom = fonts[(False, False)].getbbox("M")
    width = round(fonts[(False, False)].getlength("M"))
    height = round(SIZE * 1.3)
    image = Image.new("RGB", (columns * width, rows * height), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(cells(dump)):
        if y >= rows:
            break
        for x, (ch, fg, bg, bold, italic, underline) in enumerate(row[:columns]):
            box = (x * width, y * height, (x + 1) * width, (y + 1) * height)
            draw.rectangle(box, fill=bg)
            if ch != " ":
                draw.text((x * width, y * height + 2), ch, font=fonts[(bold, italic)], fill=fg)
            if underline:
                draw.line((box[0], box[3] - 2, box[2], box[3] - 2), fill=fg)
        # Cells past the line's end keep the default background.
    image.save(out_path)


if __name__ == "__main__":
    main()
