"""benchmarks/RESULTS.md is where dated measurements live: links into it must resolve, and
code comments must not carry the dates (or the journal) themselves."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
LINK = re.compile(r"RESULTS\.md#([A-Za-z0-9_-]+)")
DATE = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors() -> set[str]:
    text = RESULTS.read_text(encoding="utf-8")
    headings = re.findall(r"^#{1,6} +(.+?) *$", text, flags=re.M)
    return {slug(h) for h in headings}


def linking_files():
    yield from sorted((ROOT / "keras_gan").rglob("*.py"))
    yield from sorted((ROOT / "benchmarks").glob("*.py"))
    yield from sorted((ROOT / "docs").rglob("*.md"))
    yield ROOT / "README.md"


def test_slug_follows_github():
    assert slug("Versus PyTorch") == "versus-pytorch"
    assert slug("2026-12-07: after the fused Adam, six seeds") == "2026-12-07-after-the-fused-adam-six-seeds"
    assert slug("`cli.py train --conditional`") == "clipy-train---conditional"


def test_every_results_link_points_at_a_heading():
    known = anchors()
    broken, links = [], 0
    for path in linking_files():
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for anchor in LINK.findall(line):
                links += 1
                if anchor not in known:
                    broken.append(f"{path.relative_to(ROOT)}:{number}: #{anchor}")
    assert links, "nothing links to benchmarks/RESULTS.md"
    assert not broken, ("links to benchmarks/RESULTS.md headings that do not exist (rename the "
                        "link, or keep the heading):\n" + "\n".join(broken))


def test_every_entry_is_dated():
    text = RESULTS.read_text(encoding="utf-8")
    entries = re.findall(r"^### +(.+)$", text, flags=re.M)
    assert entries
    undated = [e for e in entries if not re.match(r"20\d\d-[01]\d-[0-3]\d: ", e)]
    assert not undated, f"entries without a 'YYYY-MM-DD: ' heading: {undated}"


def test_no_dates_in_package_code():
    dated = [f"{path.relative_to(ROOT)}:{number}"
             for path in sorted((ROOT / "keras_gan").rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if DATE.search(line)]
    assert not dated, ("dated measurements belong in benchmarks/RESULTS.md, with a link from "
                       "the comment: " + ", ".join(dated))
