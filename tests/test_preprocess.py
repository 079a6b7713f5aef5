"""Norwegian preprocessing: folding, stems, non-answers, and the spaCy loading path."""

import pytest
import spacy

from classifier import preprocess
from classifier.errors import UserError
from classifier.preprocess import (
    BLANK,
    NorwegianNormalizer,
    answer_hash,
    answer_key,
    fold,
    is_non_answer,
    load_nlp,
    resolve_spacy_model,
)


def terms(text, model=BLANK):
    return NorwegianNormalizer(model).transform([text])["terms"][0].split()


def test_fold_meets_missing_norwegian_letters():
    assert fold("Utdanningsløp") == fold("utdanningsloep") == "utdanningslop"
    assert fold("språkpraksis") == fold("spraakpraksis") == "sprakpraksis"
    assert fold("SÆRSKILT") == fold("saerskilt")


@pytest.mark.parametrize("written, typed", [
    ("utdanningsløp", "utdanningsloep"), ("utdanningsløp", "utdanningslop"), ("lærlingplass", "laerlingplass"),
    ("næringslivet", "naeringslivet"), ("førerkort", "foererkort"), ("språkpraksis", "spraakpraksis"),
    ("videregående", "videregaaende"), ("oppfølging", "oppfoelging"), ("nivået", "nivaaet"),
])
def test_answers_typed_without_norwegian_letters_get_the_same_terms(written, typed):
    assert terms(written) == terms(typed) and terms(written)


def test_stop_words_typed_without_norwegian_letters_drop_too():
    assert terms("Vi må få til mer på dette området") == terms("Vi maa faa til mer paa dette omraadet")


def test_words_that_really_hold_aa_ae_oe_keep_their_own_terms():
    """Folding merges a word only with its own æøå spelling, not with other words."""
    for word, other in [("haakon", "hake"), ("aerobic", "robot"), ("koeffisient", "kaffe"), ("israel", "isen")]:
        assert terms(word) != terms(other)
    assert terms("Haakon")[0] == terms("Håkon")[0]


def test_models_of_version_0_1_keep_their_own_terms():
    """0.1 folded each stem; a model trained then keeps doing so (`fold_first=False`)."""
    old = NorwegianNormalizer(fold_first=False).transform(["videregående"])["terms"][0]
    assert old == preprocess.fold(preprocess.stem("videregående"))


def test_bokmal_inflections_share_a_term():
    assert terms("praksisplasser")[0] == terms("praksisplass")[0]
    assert terms("flyktninger")[0] == terms("flyktning")[0]


def test_nynorsk_inflections_share_a_term_and_function_words_drop():
    assert terms("flyktningar")[0] == terms("flyktningane")[0] == terms("flyktning")[0]
    assert terms("Eg veit ikkje kva dei treng") == [t for t in terms("Eg veit ikkje kva dei treng") if t not in ("eg", "dei", "kva")]
    assert "eg" not in terms("Eg meiner praksisplassar")


def test_typos_and_missing_letters_share_character_ngrams():
    chars = NorwegianNormalizer().transform(["Utdanningsløp", "utdanningsloep"])["chars"].tolist()
    assert chars[0] == chars[1]


def test_numbers_and_urls_become_placeholders():
    t = terms("Se www.imdi.no eller https://imdi.no/tall om de 25 plassene i 2017")
    assert "_url_" in t and "_num_" in t
    assert not any(ch.isdigit() for term in t for ch in term if term not in ("_num_",))


def test_negation_is_kept():
    assert "ikk" in terms("har ikke behov") or "ikke" in terms("har ikke behov")


@pytest.mark.parametrize("text", ["", "  ", "-", ".", "...", "?", None, float("nan")])
def test_non_answers(text):
    assert is_non_answer(text)


@pytest.mark.parametrize("text", ["x1", "Nei", "vgs", "Vet ikke"])
def test_short_answers_are_answers(text):
    assert not is_non_answer(text)


def test_repeated_texts_are_processed_once(monkeypatch):
    monkeypatch.setattr(preprocess, "_TERMS_CACHE", {})  # nothing seen before
    seen = []
    nlp = load_nlp(BLANK)
    real_pipe = nlp.pipe

    def counting_pipe(texts, **kw):
        texts = list(texts)
        seen.extend(texts)
        return real_pipe(texts, **kw)

    monkeypatch.setattr(nlp, "pipe", counting_pipe)
    out = NorwegianNormalizer().transform(["praksis", "praksis", "bolig", "praksis"])
    assert len(out) == 4 and sorted(seen) == ["bolig", "praksis"]


def test_default_is_blank_without_the_norwegian_model(monkeypatch):
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    assert resolve_spacy_model(None) == BLANK


def test_installed_norwegian_model_is_preferred(monkeypatch):
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "nb_core_news_sm")
    assert resolve_spacy_model(None) == "nb_core_news_sm"
    assert resolve_spacy_model("my_model") == "my_model"


def test_missing_named_model_is_a_user_error():
    with pytest.raises(UserError, match="not installed"):
        load_nlp("no_such_pipeline_xyz")


def test_saved_pipeline_loads_by_path_and_its_lemmas_are_used(tmp_path):
    """Build a small trained-style pipeline, save it, load it through the named-model path."""
    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "søkte"}]], {"LEMMA": "søke"})
    ruler.add([[{"LOWER": "arbeidsgjevarane"}]], {"LEMMA": "arbeidsgiver"})
    nlp.add_pipe("sentencizer")  # a component the normaliser has no use for
    path = tmp_path / "tiny_nb"
    nlp.to_disk(path)

    loaded = load_nlp(str(path))
    assert "attribute_ruler" in loaded.pipe_names
    got = terms("Vi søkte hos arbeidsgjevarane", model=str(path))
    assert fold(preprocess.stem("søke")) in got  # the lemma, stemmed and folded
    assert fold(preprocess.stem("arbeidsgiver")) in got
    assert preprocess.describe_nlp(str(path))["components"] == loaded.pipe_names


def test_broken_pipeline_folder_is_a_user_error(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.cfg").write_text("not a config", encoding="utf-8")
    with pytest.raises(UserError):
        load_nlp(str(tmp_path / "broken"))


def test_texts_seen_before_are_not_processed_again(monkeypatch):
    monkeypatch.setattr(preprocess, "_TERMS_CACHE", {})
    first = NorwegianNormalizer().transform(["praksisplasser", "bolig"])
    nlp = load_nlp(BLANK)
    calls = []
    real_pipe = nlp.pipe
    monkeypatch.setattr(nlp, "pipe", lambda texts, **kw: calls.append(list(texts)) or real_pipe(calls[-1], **kw))
    again = NorwegianNormalizer().transform(["bolig", "praksisplasser", "tolk"])
    assert calls == [["tolk"]]
    assert again["terms"].tolist()[:2] == first["terms"].tolist()[::-1]


def test_normalised_answers_share_a_hash():
    assert answer_key("  Praksisplasser!! ") == "praksisplasser"
    assert answer_hash("Praksisplasser!") == answer_hash("praksisplasser")
    assert answer_hash("Godkjenning av  utdanning.") == answer_hash("godkjenning av utdanning")
    assert answer_hash("Språkpraksis") == answer_hash("spraakpraksis")  # æøå folded, as the model does
    assert answer_hash("praksis") != answer_hash("praksisplass")
