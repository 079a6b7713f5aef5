"""`themes` on a coded file: the planted topics (tests/data/planted_themes.csv, written by hand
for the project) among the answers coded `other` get themes of their own, every input row is in
assignments.csv, the same seed writes the same bytes, the draft frame opens in `label`, and bad
input is one line, exit 1, nothing written."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from classifier.codeframe import load_codeframe
from classifier.theme_files import FILES, TODO

from ..conftest import DATA, ROOT
from .test_errors import assert_one_line_error

TOPICS = ("digital", "okonomi", "svomming")


@pytest.fixture(scope="module")
def coded_rows() -> pd.DataFrame:
    """A `predict` output as analysts have it: respondent ids, the answer, codes, review flags.
    Answers coded `other` in the training data and the planted answers (coded `other` too), with
    answers coded otherwise and empty answers between them."""
    train = pd.read_csv(ROOT / "training_data" / "kommuneundersokelsen_2016-2019.csv", dtype=str)
    other = train[train["labels"] == "other"].assign(topic="-")
    coded = train[train["labels"] != "other"].head(40).assign(topic="coded")
    planted = pd.read_csv(DATA / "planted_themes.csv", sep=";", dtype=str)
    planted = planted.rename(columns={"svar": "text"}).assign(labels="other")
    empty = pd.DataFrame({"text": ["", "-"], "labels": "", "topic": "empty"})
    df = pd.concat([coded.iloc[:20], other.iloc[:90], planted.iloc[::2], empty, other.iloc[90:], coded.iloc[20:],
                    planted.iloc[1::2]], ignore_index=True)
    return pd.DataFrame({
        "respondent_id": [f"R{i:04d}" for i in range(len(df))], "svar": df["text"], "labels": df["labels"],
        "needs_review": ["true" if i % 4 == 0 else "false" for i in range(len(df))], "topic": df["topic"],
    })


@pytest.fixture
def coded_file(coded_rows, tmp_path):
    path = tmp_path / "survey_coded.csv"
    coded_rows.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def run_themes(cli, coded_file, out, *extra):
    return cli("themes", coded_file, "--text-column", "svar", "--id-column", "respondent_id",
               "--where-code", "other", "--out", out, *extra)


def test_planted_topics_each_get_a_theme_and_the_draft_opens_in_label(cli, coded_file, coded_rows, tmp_path):
    out = tmp_path / "themes"
    code, stdout, err = run_themes(cli, coded_file, out)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assign = read(out / "assignments.csv")
    # every input row, in order, by its id
    assert assign["respondent_id"].tolist() == coded_rows["respondent_id"].tolist()
    topics = coded_rows["topic"].tolist()
    status = dict(Counter(zip(topics, assign["status"])))
    assert status.get(("coded", "not selected")) == 40 and status.get(("empty", "empty")) == 2
    theme = assign["theme"].tolist()
    best = {}
    for topic in TOPICS:
        mine = [t for t, tp in zip(theme, topics) if tp == topic and t]
        number, count = Counter(mine).most_common(1)[0]
        members = [tp for t, tp in zip(theme, topics) if t == number]
        assert count / 12 >= 0.6, (topic, count)
        assert members.count(topic) / len(members) >= 0.5, (topic, Counter(members))
        best[topic] = number
    assert len(set(best.values())) == 3
    themes = read(out / "themes.csv")
    assert themes["theme"].tolist() == [str(i) for i in range(1, len(themes) + 1)]
    assert [int(n) for n in themes["answers"]] == [theme.count(t) for t in themes["theme"]]
    md = (out / "themes.md").read_text(encoding="utf-8")
    html = (out / "themes.html").read_text(encoding="utf-8")
    for name in themes["name"]:
        assert name in md and name.replace("&", "&amp;") in html
    # the rich summary names the themes' codes
    assert themes["code"].iloc[0][:10] in stdout and "label" in stdout
    draft = load_codeframe(out / "codeframe_draft.toml")
    assert draft.keys[:-1] == themes["code"].tolist() and draft.fallback == "other"
    assert all(draft.code(k).definition.startswith(TODO) for k in themes["code"])
    code, stdout, err = cli("label", coded_file, "--text-column", "svar", "--codeframe", out / "codeframe_draft.toml",
                            "--keys", "q", "--store", tmp_path / "store.sqlite")
    assert code == 0, err
    assert themes["code"].iloc[0] in stdout and "Saved 0 decisions" in stdout


def test_same_seed_writes_the_same_bytes(cli, coded_file, tmp_path):
    for name in ("a", "b"):
        assert run_themes(cli, coded_file, tmp_path / name, "--seed", "3")[0] == 0
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_fixed_number_and_review_flags(cli, coded_file, coded_rows, tmp_path):
    code, out, err = cli("themes", coded_file, "--text-column", "svar", "--where-review", "--themes", "4",
                       "--out", tmp_path / "t")
    assert code == 0, err
    assign = read(tmp_path / "t" / "assignments.csv")
    assert assign["row"].tolist() == [str(i + 2) for i in range(len(coded_rows))]  # spreadsheet rows
    flagged = (coded_rows["needs_review"] == "true") & ~coded_rows["topic"].eq("empty")
    assert (assign["status"].isin(["theme", "unassigned"]) == flagged).all()
    kept = len(read(tmp_path / "t" / "themes.csv"))
    assert kept == 4 or (0 < kept < 4 and "asked for 4 themes" in err + out), (kept, err)


def test_with_a_model_the_draft_keeps_its_codes_and_themes_get_verdicts(cli, coded_file, model_dir, tmp_path):
    code, stdout, err = run_themes(cli, coded_file, tmp_path / "m", "--model", model_dir)
    assert code == 0, err
    themes = read(tmp_path / "m" / "themes.csv")
    assert set(themes["verdict"]) <= {"new", "existing", "unclear"} and "new" in set(themes["verdict"])
    assert all(0 <= float(p) <= 1 for p in themes["mean_p"])
    draft = load_codeframe(tmp_path / "m" / "codeframe_draft.toml")
    model_frame = load_codeframe(ROOT / "labels" / "imdi_kvalifisering.toml")
    assert draft.keys == model_frame.substantive + themes["code"].tolist() + ["other"]
    assert "verdict" in stdout
    if "not_in_training" not in themes.columns:  # the model offers no training word counts
        assert "does not give its training answers' word counts" in err


BAD = [
    ("no answers at all", lambda df: df.assign(svar="-"), [], "column 'svar' has no answers"),
    ("none flagged", lambda df: df.assign(needs_review="false"), ["--where-review"], "no answer is flagged for review"),
    ("no such column", None, ["--text-column", "answer"], "Column 'answer' not found"),
    ("themes 0", None, ["--themes", "0"], "--themes must be 'auto' or a whole number"),
    ("themes auto-ish", None, ["--themes", "lots"], "--themes must be"),
    ("no labels column", lambda df: df.drop(columns="labels"), ["--where-code", "other"], "no 'labels' column"),
    ("unknown code", None, ["--where-code", "bolig"], "No code 'bolig'"),
    ("no review column", lambda df: df.drop(columns="needs_review"), ["--where-review"], "no 'needs_review' column"),
    ("too few answers", lambda df: df.head(25), ["--where-code", "other"], "needs at least 10"),
    ("negative seed", None, ["--seed", "-1"], "--seed must be"),
]


@pytest.mark.parametrize("name, change, args, fragment", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_and_writes_nothing(cli, coded_rows, tmp_path, name, change, args, fragment):
    df = change(coded_rows) if change else coded_rows
    path = tmp_path / "in.csv"
    df.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    before = path.read_bytes()
    base = ["themes", path, "--out", tmp_path / "out"]
    if "--text-column" not in args:
        base += ["--text-column", "svar"]
    assert_one_line_error(cli(*base, *args), fragment)
    assert not (tmp_path / "out").exists()
    assert path.read_bytes() == before


def test_no_answers_left_with_a_code_the_model_knows(cli, coded_rows, model_dir, tmp_path):
    path = tmp_path / "in.csv"
    coded_rows.assign(labels="practice_placements").to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    assert_one_line_error(cli("themes", path, "--text-column", "svar", "--where-code", "other", "--model", model_dir,
                              "--out", tmp_path / "out"), "No answers to group", "no answer is coded 'other'")
    assert not (tmp_path / "out").exists()


def test_out_is_a_file_or_the_input(cli, coded_file, tmp_path):
    target = tmp_path / "taken.csv"
    target.write_text("x", encoding="utf-8")
    assert_one_line_error(run_themes(cli, coded_file, target), "is a file")
    assert target.read_text(encoding="utf-8") == "x"
    inside = tmp_path / "dir"
    inside.mkdir()
    victim = inside / "assignments.csv"
    victim.write_bytes(coded_file.read_bytes())
    assert_one_line_error(cli("themes", victim, "--text-column", "svar", "--where-code", "other", "--out", inside),
                          "would overwrite the input")
    assert victim.read_bytes() == coded_file.read_bytes()


def test_help_text(capsys):
    from classifier.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["themes", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0 and "Example" in out and "survey-coder themes" in out and "--where-code" in out
