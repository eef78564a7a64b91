"""Build a captioned folder from the shared OpenMoji set, for text2image benchmarks.

    python benchmarks/make_captions.py --openmoji ../shared/data/openmoji --out /tmp/emoji_captions

Copies OPENMOJI/color/<path> to OUT/<path> and writes OUT/captions.csv with one row per
emoji, its annotation ("grinning face", "red apple"): the captions layout
`--family text2image --data OUT` reads. Emoji without an annotation are left out.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--openmoji", required=True, help="the folder with openmoji.csv and color/")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    root, out = Path(args.openmoji), Path(args.out)
    rows = []
    with (root / "openmoji.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            source, text = root / "color" / row["file"], " ".join(row["annotation"].split())
            if text and source.is_file():
                (out / row["file"]).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, out / row["file"])
                rows.append((row["file"], text))
    with (out / "captions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("file", "caption"))
        writer.writerows(rows)
    print(f"Wrote {len(rows)} captioned emoji to {out} (captions.csv).")


if __name__ == "__main__":
    main()
