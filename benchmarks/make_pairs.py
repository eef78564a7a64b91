"""Build an RGB paired set from a folder of colour images, for pix2pix benchmarks.

    python benchmarks/make_pairs.py --images ../shared/data/openmoji/color --out /tmp/emoji_edges

Writes OUT/A/<same path>.png (the colour image) and OUT/B/<same path>.png (its edge
drawing: dark lines on white, from Pillow's FIND_EDGES on the grey image, or with
--kind grey the plain grey image). The A/B layout `--family pix2pix --data OUT` reads.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--kind", choices=("edges", "grey"), default="edges")
    args = parser.parse_args()

    from PIL import Image, ImageFilter, ImageOps

    root, out = Path(args.images), Path(args.out)
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    for path in files:
        relative = path.relative_to(root).with_suffix(".png")
        with Image.open(path) as image:
            colour = image.convert("RGB")
        grey = colour.convert("L")
        target = ImageOps.invert(grey.filter(ImageFilter.FIND_EDGES)) if args.kind == "edges" else grey
        for side, picture in (("A", colour), ("B", target.convert("RGB"))):
            (out / side / relative).parent.mkdir(parents=True, exist_ok=True)
            picture.save(out / side / relative)
    print(f"Wrote {len(files)} pairs to {out}/A and {out}/B ({args.kind}).")


if __name__ == "__main__":
    main()
