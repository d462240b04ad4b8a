from rag.citations import cited_numbers, normalise_markers


def test_markers_pointing_nowhere_are_dropped() -> None:
    text = normalise_markers("France pledged aid [2]. Italy declined [7].", 3)
    assert text == "France pledged aid [2]. Italy declined."


def test_marker_variants_are_rewritten_as_single_markers() -> None:
    text = normalise_markers("A [1, 2]. B [Source 3]. C [1][1] and [2 and 3].", 3)
    assert text == "A [1][2]. B [3]. C [1] and [2][3]."
    assert cited_numbers(text) == [1, 2, 3]


def test_zero_is_not_a_source_number() -> None:
    assert normalise_markers("Claim [0].", 2) == "Claim."
