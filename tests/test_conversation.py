"""Follow-up questions rewritten to stand alone, deterministically."""

import pytest

from rag.conversation import Turn, standalone_question

HISTORY = [Turn("user", "How many troops will France send to Ukraine?"),
           Turn("assistant", "France will send 5,000 troops [1].")]


def test_self_contained_question_is_unchanged() -> None:
    question = "Who leads the coalition of the willing in September 2025?"
    assert standalone_question(HISTORY, question) == question


def test_question_without_history_is_unchanged_apart_from_spacing() -> None:
    assert standalone_question([], "  and   Germany? ") == "and Germany?"


def test_bare_name_replaces_the_first_name_of_the_previous_question() -> None:
    assert standalone_question(HISTORY, "and Germany?") == "How many troops will Germany send to Ukraine?"
    assert standalone_question(HISTORY, "What about the United Kingdom?") == (
        "How many troops will the United Kingdom send to Ukraine?")


def test_opening_word_of_the_previous_question_is_not_taken_for_a_name() -> None:
    history = [Turn("user", "Did Macron meet Zelensky in Paris?")]
    assert standalone_question(history, "and Starmer?") == "Did Starmer meet Zelensky in Paris?"


def test_follow_up_starting_with_and_gets_the_previous_topic_as_context() -> None:
    assert standalone_question(HISTORY, "and what did Germany say?") == (
        "What did Germany say? (context: troops France send Ukraine)")


def test_pronoun_or_one_word_follow_up_gets_context() -> None:
    assert standalone_question(HISTORY, "When did they announce it?").endswith("(context: troops France send Ukraine)")
    assert standalone_question(HISTORY, "Why?") == "Why? (context: troops France send Ukraine)"


def test_chained_follow_ups_keep_the_topic_of_the_first_question() -> None:
    history = [*HISTORY, Turn("user", "and what did Germany say?"), Turn("assistant", "Germany hesitated [2].")]
    assert standalone_question(history, "and Italy?") == "What did Italy say? (context: troops France send Ukraine)"


def test_assistant_turns_do_not_feed_the_rewrite() -> None:
    history = [Turn("assistant", "Hello, ask me about the news.")]
    assert standalone_question(history, "and Germany?") == "and Germany?"


def test_rewrite_longer_than_the_limit_falls_back_to_the_question_as_asked() -> None:
    assert standalone_question(HISTORY, "and what did Germany say?", max_chars=30) == "and what did Germany say?"


def test_the_model_rewrite_prompt_shows_recent_turns_without_citation_markers() -> None:
    from rag.conversation import rewrite_messages

    messages = rewrite_messages(HISTORY, "  And   Germany? ")
    assert messages[0]["role"] == "system" and "Do not answer it" in messages[0]["content"]
    prompt = messages[1]["content"]
    assert "User: How many troops will France send to Ukraine?" in prompt
    assert "Assistant: France will send 5,000 troops." in prompt and "[1]" not in prompt
    assert prompt.endswith("Follow-up question: And Germany?")


@pytest.mark.parametrize("reply, expected", [
    ("How many troops will Germany send to Ukraine?", "How many troops will Germany send to Ukraine?"),
    ("Standalone question: \"How many troops will Germany send?\"\nExtra words.", "How many troops will Germany send?"),
    ("Germany will send 3,000 troops.", None),  # an answer, not a question
    ("", None),
    ("Why? " * 300, None),  # over the question limit
])
def test_a_model_rewrite_is_used_only_when_it_is_a_question(reply: str, expected: str | None) -> None:
    from rag.conversation import parsed_rewrite

    assert parsed_rewrite(reply, "And Germany?", max_chars=1000) == expected


def test_a_new_self_contained_question_keeps_no_stale_topic() -> None:
    history = [Turn("user", "Who won at the BAFTA awards this week?"), Turn("assistant", "Several films [1].")]
    assert standalone_question(history, "What is the latest on interest rates?") == \
        "What is the latest on interest rates?"
