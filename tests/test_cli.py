"""The ``detector`` command end to end on the bundled samples (offline, no network)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from detector.cli import main
from detector.disavow import parse_disavow

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
EXPORTS = sorted(str(p) for p in SAMPLES.iterdir()
                 if p.suffix in {".csv", ".zip", ".xlsx"} and p.name != "labels.csv")


def _score(tmp_path: Path, *extra: str) -> tuple[int, Path, Path]:
    out, disavow = tmp_path / "domains.csv", tmp_path / "disavow.txt"
    code = main(["score", *EXPORTS, "--offline", "--quiet", "--out", str(out),
                 "--disavow", str(disavow), *extra])
    return code, out, disavow


def test_score_samples_writes_domains_and_a_valid_disavow(tmp_path, capsys):
    code, out, disavow = _score(tmp_path, "--existing", str(SAMPLES / "existing_disavow.txt"))
    assert code == 0
    printed = capsys.readouterr().out
    assert "referring domains" in printed and "verdicts:" in printed
    domains = pd.read_csv(out)
    assert {"domain", "verdict", "probability", "reasons", "links"} <= set(domains.columns)
    assert domains["domain"].is_unique
    parsed = parse_disavow(disavow)
    assert not parsed.errors
    existing = parse_disavow(SAMPLES / "existing_disavow.txt")
    # every entry of the live file survives the merge (URL lines unless a domain covers them)
    kept = {e.value for e in parsed.entries}
    covered_domains = {e.value for e in parsed.entries if e.kind == "domain"}
    for entry in existing.entries:
        if entry.kind == "domain":
            assert entry.value in kept
        else:
            host = entry.value.split("/")[2]
            assert entry.value in kept or any(host == d or host.endswith("." + d) for d in covered_domains)
    toxic = set(domains.loc[domains["verdict"] == "toxic", "domain"])
    assert toxic and toxic <= covered_domains


def test_allowlisted_domain_is_never_disavowed(tmp_path):
    code, out, _ = _score(tmp_path)
    toxic = pd.read_csv(out).query("verdict == 'toxic'")["domain"].tolist()
    allow = tmp_path / "allow.txt"
    allow.write_text(f"# partners we keep\n{toxic[0]}\n")
    code, _, disavow = _score(tmp_path, "--allow", str(allow))
    assert code == 0
    assert toxic[0] not in {e.value for e in parse_disavow(disavow).entries}


def test_unrecognised_file_is_a_clear_error_and_others_still_load(tmp_path, capsys):
    bad = tmp_path / "mystery.csv"
    bad.write_text("colour,shape\nred,round\n")
    code = main(["score", str(bad), "--offline", "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "mystery.csv" in err and "colour" in err
    code = main(["score", str(bad), EXPORTS[0], "--offline", "--quiet"])
    assert code == 0
    assert "NOT READ" in capsys.readouterr().out


def test_reviewed_csv_decisions_override_verdicts(tmp_path):
    _, out, _ = _score(tmp_path)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    toxic = next(r for r in rows if r["verdict"] == "toxic")
    fine = next(r for r in rows if r["verdict"] == "fine")
    for row in rows:
        row["decision"] = {toxic["domain"]: "keep", fine["domain"]: "Disavow"}.get(row["domain"], "")
    reviewed = tmp_path / "reviewed.csv"
    with reviewed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    disavow = tmp_path / "reviewed-disavow.txt"
    assert main(["disavow", str(reviewed), "--out", str(disavow)]) == 0
    values = {e.value for e in parse_disavow(disavow).entries}
    assert toxic["domain"] not in values
    assert fine["domain"] in values


def test_reviewed_csv_with_a_bad_decision_names_line_and_column(tmp_path, capsys):
    reviewed = tmp_path / "r.csv"
    reviewed.write_text("domain,verdict,decision\na.com,toxic,\nb.com,fine,maybe\n")
    assert main(["disavow", str(reviewed), "--out", str(tmp_path / "d.txt")]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "'decision'" in err and "maybe" in err
    assert not (tmp_path / "d.txt").exists()


def test_formats_lists_every_reader(capsys):
    assert main(["formats"]) == 0
    printed = capsys.readouterr().out
    for fmt in ("ahrefs_backlinks", "semrush_backlinks", "majestic_backlinks", "moz_links",
                "gsc_latest_links", "bing_backlinks", "plain_list", "disavow"):
        assert fmt in printed


def test_missing_file_is_reported(tmp_path, capsys):
    assert main(["score", str(tmp_path / "nope.csv"), "--offline", "--quiet"]) == 2
    assert "nope.csv" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--version"]])
def test_version(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "detector" in capsys.readouterr().out


def test_disavow_for_drops_reason_comments_rather_than_exceed_googles_limit():
    from detector.disavow import MAX_BYTES, render_disavow, validate_disavow
    from detector.pipeline import disavow_for

    n = 40_000  # 40,000 entries with a 60-character reason each is over 2 MB
    domains = pd.DataFrame({
        "domain": [f"spam-site-number-{i}.com" for i in range(n)],
        "verdict": "toxic",
        "reasons": "shares IP block and analytics ID with 14 other referring domains",
    })
    with pytest.warns(UserWarning, match="without their reason comments"):
        merged = disavow_for(domains)
    text = render_disavow(merged.file)
    assert len(text.encode()) <= MAX_BYTES
    assert all(p.severity != "error" for p in validate_disavow(text, raise_errors=False))
    assert len(merged.file.entries) == n


def test_train_on_reviewed_labels_saves_a_new_version(tmp_path, capsys):
    _, out, _ = _score(tmp_path)
    models = tmp_path / "models"
    code = main(["train", *EXPORTS, "--offline", "--quiet", "--labels", str(out),
                 "--base", "none", "--cv", "3", "--models-dir", str(models)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "trained on" in printed
    saved = [p for p in models.iterdir() if (p / "card.json").exists()]
    assert len(saved) == 1


def test_train_without_labels_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", EXPORTS[0], "--offline"])
    assert exit_info.value.code == 2
