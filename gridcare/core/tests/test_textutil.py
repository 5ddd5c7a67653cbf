from gridcare.core.textutil import mask_id_number, mask_phone, normalize_query, to_halfwidth


def test_mask_phone_keeps_prefix_and_last_four():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("0514-87654321") == "051******4321"
    assert mask_phone("") == ""


def test_mask_id_number():
    assert mask_id_number("321002199001011234") == "3210**********1234"


def test_fullwidth_and_traditional_are_normalised():
    assert to_halfwidth("１３９　ＡＢ") == "139 AB"
    assert normalize_query("  東關街　１２號 ") == "东关街 12号"


def test_to_simplified_uses_opencc_phrases_and_skips_simplified_text():
    from gridcare.core.textutil import to_simplified

    assert to_simplified("我家電錶壞了，請儘快來修") == "我家电表坏了，请尽快来修"
    assert to_simplified("乾隆") == "乾隆"  # phrase table: 乾 stays in a name
    assert to_simplified("乾淨") == "干净"
    text = "东关街12号 台区低电压"
    assert to_simplified(text) is text
    assert to_simplified("") == ""
