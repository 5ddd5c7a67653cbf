import pytest

from gridcare.analytics.textnorm import (
    AMOUNT,
    KWH,
    LONGNUM,
    NUM,
    PHONE,
    mask_numbers,
    normalize,
    segment,
    to_simplified,
)


def test_traditional_to_simplified():
    assert normalize("我家電錶壞了，請儘快來修") == "我家电表坏了,请尽快来修"
    assert to_simplified("停電通知") == "停电通知"


def test_simplified_text_is_left_alone():
    text = "台区低电压，空调开不起来"
    assert to_simplified(text) is text


def test_full_width_to_half_width_and_lowercase():
    assert normalize("ＡＰＰ登录不了！１２点") == f"app登录不了! {NUM} 点"
    assert normalize("打\u3000不通") == "打 不通"


def test_phone_numbers_are_masked():
    assert PHONE in normalize("我电话13812345678，回电")
    assert PHONE in normalize("联系 +86 138-1234-5678")
    assert PHONE in normalize("座机025-83451234")
    assert "13812345678" not in normalize("我电话13812345678")


def test_account_amount_and_energy_masking():
    out = normalize("户号3100284756交了２００元，用了350度电")
    assert LONGNUM in out and AMOUNT in out and KWH in out
    assert "3100284756" not in out
    assert mask_numbers("¥128.5").strip() == AMOUNT


def test_service_numbers_stay_literal():
    out = normalize("打95598没人接，要打12398投诉")
    assert "95598" in out and "12398" in out


def test_emoji_and_whitespace():
    assert normalize("  没电了😭😭  \n\t 快来 👍🏻 ") == "没电了 快来"
    assert normalize("   ") == ""
    assert normalize(None) == ""


def test_truncation():
    assert len(normalize("停" * 5000, max_chars=100)) == 100


def test_english_domain_words_mapped():
    out = normalize("Power outage since 8pm, please send someone")
    assert "停电" in out and "派人来" in out


def test_segmentation_keeps_domain_words():
    words = segment(normalize("台区低电压，打95598，网上国网交不了峰谷电"))
    for w in ("台区", "低电压", "95598", "网上国网", "峰谷电"):
        assert w in words
    assert "," not in words


def test_word_lists_come_from_the_data_files():
    """The lists keep their module names, are read once per process and are well formed."""
    from gridcare.analytics import textnorm

    assert textnorm.DOMAIN_WORDS is textnorm.domain_words()
    assert textnorm.EN_GLOSSARY is textnorm.en_glossary()
    words = textnorm.DOMAIN_WORDS
    assert {"台区", "低电压", "95598", "网上国网"} <= set(words)
    assert len(words) == len(set(words)) and all(
        w and w == w.strip() and not w.startswith("#") for w in words
    )
    glossary = textnorm.EN_GLOSSARY
    assert glossary["power outage"] == "停电" and glossary["low voltage"] == "低电压"
    assert all(k == k.lower().strip() and v.strip() == v for k, v in glossary.items())
    assert len(glossary) > 200


def test_malformed_glossary_line_names_the_line(tmp_path, monkeypatch):
    from gridcare.analytics import textnorm

    (tmp_path / "en_glossary.tsv").write_text("# header\noutage\t停电\nno tab here\n", encoding="utf-8")
    from gridcare.core import textseg

    monkeypatch.setattr(textseg, "DATA_DIR", tmp_path)
    textnorm.en_glossary.cache_clear()
    try:
        with pytest.raises(ValueError, match="line 3"):
            textnorm.en_glossary()
    finally:
        textnorm.en_glossary.cache_clear()
