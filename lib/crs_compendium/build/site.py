"""What the site offers a reviewer besides its pages: every export as a download (with its row count and
checksum), and the claims explorer, one filterable table of every audited claim.

The notebooks write their exports under the build directory (``audit/``, ``results/``,
``reconstruction/``); :func:`copy_exports` copies them into the site under ``exports/`` with a
``manifest.csv``, so that the site alone (from ``file://`` or any static server) carries everything a
reviewer downloads. Everything here is plain HTML with a few lines of inline JavaScript: no CDN, no
library to ship, and the table reads and filters with no network at all.
"""
from __future__ import annotations

import html
import shutil
from pathlib import Path

import pandas as pd

from ..files import SITE_EXPORTS, ExportFile, describe_export, exports_table_html, read_text_csv, write_csv_atomic
from ..formatting import claim_id_html
from ..paths import OUTPUT_FOLDERS
from ..vocab import AUDIT_VERDICTS, SECTION_ORDER, VERDICT_COLOURS

__all__ = ["list_exports", "copy_exports", "downloads_html", "claims_explorer_html"]

_EXPLORER_COLUMNS = ("claim_id", "location", "printed", "recomputed", "verdict", "note", "link")


def list_exports(build_root: Path) -> list[ExportFile]:
    """Every export the last build wrote, in folder and name order."""
    return [describe_export(path, build_root) for folder in OUTPUT_FOLDERS
            for path in sorted((build_root / folder).glob("*.csv"))]


def copy_exports(build_root: Path, site: Path) -> list[ExportFile]:
    """Copy every export into ``<site>/exports/`` (emptied first, so nothing stale survives) and write
    ``manifest.csv`` beside them: file, rows, bytes, sha256."""
    target = site / SITE_EXPORTS
    shutil.rmtree(target, ignore_errors=True)
    exports = list_exports(build_root)
    for export in exports:
        destination = target / export.relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_root / export.relative, destination)
    manifest = pd.DataFrame([{"file": e.relative, "rows": e.rows, "bytes": e.size, "sha256": e.sha256}
                             for e in exports], columns=["file", "rows", "bytes", "sha256"])
    write_csv_atomic(manifest, target / "manifest.csv")
    return exports


def downloads_html(exports: list[ExportFile], to_site_root: str) -> str:
    """Every export as a table of downloads, and the manifest with the whole checksums and sizes."""
    manifest = html.escape(to_site_root + SITE_EXPORTS + "/manifest.csv")
    return (exports_table_html(exports, to_site_root)
            + f'<p>Whole checksums and sizes: <a class="export-link" href="{manifest}" data-rows="{len(exports)}" '
              f'download><code>exports/manifest.csv</code></a>.</p>')


def _badge(verdict: str) -> str:
    colour = VERDICT_COLOURS[verdict]
    return (f'<span class="verdict-badge" style="border-left-color:{colour};background:{colour}1f">'
            f'{html.escape(verdict)}</span>')


def claims_explorer_html(claims_export: Path, registry: Path, to_site_root: str) -> str:
    """Every claim of the audit export in one table that a reader filters by verdict and section and searches
    as they type; each claim links to its row on the audit page that checks it. The rows are plain HTML
    (the table reads without JavaScript); a small inline script does the filtering."""
    claims = read_text_csv(claims_export, _EXPLORER_COLUMNS)
    printed = read_text_csv(registry, ("claim_id", "section"))
    sections = dict(zip(printed["claim_id"], printed["section"]))
    present = set(sections.values())
    section_order = [s for s in SECTION_ORDER if s in present] + sorted(present - set(SECTION_ORDER))
    body = []
    for row in claims.to_dict("records"):
        section = sections.get(row["claim_id"], "")
        text = " ".join(row[column] for column in ("claim_id", "location", "printed", "recomputed", "note")).lower()
        body.append(
            f'<tr data-verdict="{html.escape(row["verdict"])}" data-section="{html.escape(section)}" '
            f'data-text="{html.escape(text)}">'
            f'<td><a href="{html.escape(to_site_root + row["link"])}">{claim_id_html(row["claim_id"])}</a></td>'
            f'<td>{html.escape(section)}</td><td>{html.escape(row["location"])}</td>'
            f'<td><code>{html.escape(row["printed"])}</code></td><td>{html.escape(row["recomputed"])}</td>'
            f'<td>{_badge(row["verdict"])}</td><td>{html.escape(row["note"])}</td></tr>')
    verdict_options = "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in AUDIT_VERDICTS)
    section_options = "".join(f'<option value="{html.escape(s)}">{html.escape(s)}</option>' for s in section_order)
    head = "".join(f"<th>{name}</th>" for name in ("claim", "section", "printed in", "printed", "recomputed",
                                                   "verdict", "note"))
    total = len(claims)
    return f"""<div class="claims-explorer">
<form class="explorer-controls" role="search" onsubmit="return false">
<label>Verdict <select id="explorer-verdict"><option value="">every verdict</option>{verdict_options}</select></label>
<label>Section <select id="explorer-section"><option value="">every section</option>{section_options}</select></label>
<label>Search <input type="search" id="explorer-search" placeholder="id, location, number, note"></label>
<output id="explorer-count" aria-live="polite">{total} of {total} claims</output>
</form>
<div class="explorer-scroll"><table class="claims-table explorer-table"><thead><tr>{head}</tr></thead>
<tbody>{"".join(body)}</tbody></table></div>
</div>
<script>
(function () {{
  var verdict = document.getElementById("explorer-verdict");
  var section = document.getElementById("explorer-section");
  var search = document.getElementById("explorer-search");
  var count = document.getElementById("explorer-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll(".explorer-table tbody tr"));
  function filter() {{
    var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {{
      var keep = (!verdict.value || row.dataset.verdict === verdict.value)
        && (!section.value || row.dataset.section === section.value)
        && words.every(function (word) {{ return row.dataset.text.indexOf(word) >= 0; }});
      row.hidden = !keep;
      if (keep) {{ shown += 1; }}
    }});
    count.textContent = shown + " of " + rows.length + " claims";
  }}
  [verdict, section].forEach(function (control) {{ control.addEventListener("change", filter); }});
  search.addEventListener("input", filter);
  var wanted = new URLSearchParams(window.location.search);
  if (wanted.get("verdict")) {{ verdict.value = wanted.get("verdict"); }}
  if (wanted.get("section")) {{ section.value = wanted.get("section"); }}
  filter();
}})();
</script>"""
