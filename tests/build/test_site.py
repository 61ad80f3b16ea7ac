"""The site's downloads and claims explorer (crs_compendium.build.site), on small hand-made build folders."""
import csv
import hashlib
import re

from crs_compendium.build.site import claims_explorer_html, copy_exports, downloads_html, list_exports
from crs_compendium.vocab import CONSISTENT, INCONSISTENT, NOT_CHECKABLE

CLAIMS = (
    "claim_id,location,printed,recomputed,method,verdict,note,link\n"
    't2.male.p_bonf,"Table 2, row ""Male""",5.11,min(1; 10 x 0.511) = 1.00,bonferroni,inconsistent,"above 1,\n'
    'not a probability",notebooks/11_audit_table2.html#claim-t2.male.p_bonf\n'
    "res.pfs.p,Results,0.350,,,not checkable from the published numbers,needs follow-up,"
    "notebooks/12_audit_results_text.html#claim-res.pfs.p\n"
    "abs.patients.toci.n,Abstract,17,17,flow,consistent,,notebooks/12_audit_results_text.html#claim-abs.patients.toci.n\n"
)
REGISTRY = "claim_id,section\nt2.male.p_bonf,table2\nres.pfs.p,results\nabs.patients.toci.n,abstract\n"


def _build(tmp_path):
    (tmp_path / "audit").mkdir()
    (tmp_path / "results").mkdir()
    (tmp_path / "audit" / "claims.csv").write_text(CLAIMS)
    (tmp_path / "results" / "table2_tests.csv").write_text("row,p\nage,0.033\nmale,0.511\n")
    (tmp_path / "results" / "notes.txt").write_text("not an export")
    return tmp_path


def test_exports_are_counted_in_csv_rows_not_lines_and_checksummed(tmp_path):
    exports = {e.relative: e for e in list_exports(_build(tmp_path))}
    assert set(exports) == {"audit/claims.csv", "results/table2_tests.csv"}
    # The first claim's note holds a line break inside quotes: 3 rows, 5 lines.
    assert exports["audit/claims.csv"].rows == 3 and CLAIMS.count("\n") == 5
    assert exports["results/table2_tests.csv"].rows == 2
    assert exports["audit/claims.csv"].sha256 == hashlib.sha256(CLAIMS.encode()).hexdigest()


def test_copying_into_the_site_replaces_what_an_earlier_build_left_and_writes_a_manifest(tmp_path):
    (tmp_path / "build").mkdir()
    build, site = _build(tmp_path / "build"), tmp_path / "site"
    (site / "exports" / "results").mkdir(parents=True)
    (site / "exports" / "results" / "stale.csv").write_text("a\n1\n")
    copy_exports(build, site)
    assert not (site / "exports" / "results" / "stale.csv").exists()
    assert (site / "exports" / "audit" / "claims.csv").read_text() == CLAIMS
    with (site / "exports" / "manifest.csv").open() as stream:
        manifest = list(csv.DictReader(stream))
    assert [(row["file"], row["rows"]) for row in manifest] == [("audit/claims.csv", "3"),
                                                                ("results/table2_tests.csv", "2")]


def test_the_downloads_table_links_each_export_from_the_page_with_its_rows(tmp_path):
    table = downloads_html(list_exports(_build(tmp_path)), "../")
    links = re.findall(r'href="([^"]+)" data-rows="(\d+)"', table)
    assert links == [("../exports/audit/claims.csv", "3"), ("../exports/results/table2_tests.csv", "2"),
                     ("../exports/manifest.csv", "2")]


def test_the_explorer_has_one_row_per_claim_with_its_section_verdict_word_and_permalink(tmp_path):
    build = _build(tmp_path)
    (tmp_path / "claims.csv").write_text(REGISTRY)
    page = claims_explorer_html(build / "audit" / "claims.csv", tmp_path / "claims.csv", "../")
    rows = re.findall(r'<tr data-verdict="([^"]+)" data-section="([^"]+)"', page)
    assert rows == [(INCONSISTENT, "table2"), (NOT_CHECKABLE, "results"), (CONSISTENT, "abstract")]
    assert 'href="../notebooks/11_audit_table2.html#claim-t2.male.p_bonf"' in page
    badges = re.findall(r'class="verdict-badge"[^>]*>([^<]+)<', page)
    assert badges == [INCONSISTENT, NOT_CHECKABLE, CONSISTENT]
    # Sections are offered in the paper's reading order, and the count starts at every claim.
    assert re.findall(r'<option value="(\w+)">', page)[-3:] == ["abstract", "results", "table2"]
    assert ">3 of 3 claims<" in page
