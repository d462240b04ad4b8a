"""The HTTP API end to end, with the models faked and everything else real."""

import json

from fastapi.testclient import TestClient

from rag.fakes import ScriptedGenerator
from rag.generation import Generation
from rag.services import Services
from tests.conftest import SEPTEMBER_ARTICLE


def test_ask_returns_answer_citations_usage_timings_and_model(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "How many countries committed in September?"})
    assert response.status_code == 200
    body = response.json()
    assert body["abstained"] is False and "[1]" in body["answer"]
    citation = body["citations"][0]
    assert set(citation) == {"n", "article_id", "title", "published", "source", "url", "chunk_id", "text", "page",
                             "start", "end"}
    assert body["usage"]["prompt_tokens"] > 0 and body["model"] == "fake-scripted"
    assert body["passages"][0]["chunk_id"] == citation["chunk_id"]
    for passage in body["passages"]:  # what the model was shown: part of the passage, or null for all of it
        assert passage["shown"] is None or passage["shown"] in passage["text"]


def test_citation_offsets_point_into_the_article_text(client: TestClient) -> None:
    citation = client.post("/ask", json={"question": "Over two dozen countries pledged a force"}).json()["citations"][0]
    article = client.get(f"/documents/{citation['article_id']}").json()
    assert article["text"][citation["start"]:citation["end"]] == citation["text"]


def _events(client: TestClient, body: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
    with client.stream("POST", "/ask/stream", json=body) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = "".join(response.iter_text())
    blocks = [block.split("\n", 1) for block in raw.strip().split("\n\n")]
    return [(name.removeprefix("event: "), json.loads(data.removeprefix("data: "))) for name, data in blocks]


def test_stream_sends_progress_and_verified_sentences_never_the_unchecked_draft(client: TestClient) -> None:
    events = _events(client, {"question": "How many countries committed to the force?"})
    names = [name for name, _ in events]
    assert names[-1] == "answer" and "token" not in names
    answer = events[-1][1]
    # The removed draft sentence is never shown (the answer's audit trail, `sentences`, lists it as removed).
    assert answer["citations"] and "Zebras" not in json.dumps(events[:-1]) + str(answer["answer"])
    sent = [data["text"] for name, data in events if name == "sentence"]
    assert sent and answer["answer"].startswith(" ".join(sent))
    stages = {data["stage"] for name, data in events if name == "progress"}
    assert stages == {"drafting", "checking"}
    assert names.index("progress") < names.index("sentence")


def test_the_draft_is_streamed_only_when_asked_for(client: TestClient) -> None:
    events = _events(client, {"question": "How many countries committed to the force?", "draft": True})
    drafted = "".join(str(data["text"]) for name, data in events if name == "token")
    assert "Zebras number 99" in drafted and events[-1][0] == "answer"
    assert "Zebras" not in str(events[-1][1]["answer"])


def test_search_ranks_passages_without_the_model(client: TestClient) -> None:
    body = client.post("/search", json={"query": "Over two dozen countries have pledged", "top_k": 2}).json()
    assert [p["rank"] for p in body["passages"]] == [1, 2]
    assert body["passages"][0]["article_id"] == SEPTEMBER_ARTICLE
    assert body["passages"][0]["score"] >= body["passages"][1]["score"]
    assert all(p["shown"] is None for p in body["passages"])  # search shows no model anything


def test_documents_can_be_listed_added_as_json_uploaded_and_deleted(client: TestClient) -> None:
    assert len(client.get("/documents").json()) == 5
    added = client.post("/documents", json={"id": "note-1", "title": "Note", "text": "A short note. Two sentences."})
    assert added.status_code == 201 and added.json()["documents"][0] == {"article_id": "note-1", "status": "added",
                                                                          "chunks": 1}
    uploaded = client.post("/documents", files={"file": ("brief.md", b"# Brief\n\nThe brief text.", "text/markdown")})
    assert uploaded.json()["documents"][0]["article_id"] == "brief"
    assert {d["article_id"] for d in client.get("/documents").json()} >= {"note-1", "brief"}
    assert client.delete("/documents/note-1").json() == {"article_id": "note-1", "chunks_removed": 1}
    assert client.get("/documents/note-1").status_code == 404


def test_health_reports_model_index_and_store_mode(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["model_loaded"] is True and body["model"] == "fake-scripted"
    assert body["index_articles"] == 5 and body["index_chunks"] > 5 and body["store_mode"] == "embedded"


def test_errors_share_one_shape_and_name_the_problem(client: TestClient) -> None:
    cases = [
        (client.post("/ask", json={"question": ""}), 422, "empty"),
        (client.post("/ask", json={"question": "x" * 5000}), 422, "limit is 1000"),
        (client.post("/ask", json={"question": "ok", "top_k": 0}), 422, "top_k"),
        (client.post("/ask", json={"question": "ok", "top_k": "many"}), 422, "top_k"),
        (client.post("/ask", json={}), 422, "question: Field required"),
        (client.delete("/documents/nope"), 404, "nope"),
        (client.post("/documents", files={"file": ("a.pdf", b"%PDF", "application/pdf")}), 422, "a.pdf"),
        (client.post("/documents", files={"file": ("a.txt", b"\xff\xfe", "text/plain")}), 422, "not UTF-8"),
        (client.post("/documents", content=b"x", headers={"content-type": "text/plain"}), 422, "content type"),
        (client.post("/documents", json={"text": "x", "id": "../../x"}), 422, "invalid"),
    ]
    for response, status, fragment in cases:
        body = response.json()
        assert response.status_code == status, body
        assert set(body) == {"detail", "code"} and fragment in body["detail"], body


def test_a_bad_upload_leaves_the_index_as_it_was(client: TestClient) -> None:
    before = client.get("/health").json()["index_chunks"]
    client.post("/documents", files={"file": ("bad.jsonl", b'{"text": "fine"}\nbroken', "application/jsonl")})
    assert client.get("/health").json()["index_chunks"] == before


def test_openapi_docs_list_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/ask", "/ask/stream", "/search", "/documents", "/documents/{article_id}", "/health"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_every_sentence_carries_its_verdict_and_support(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "How many countries committed in September?"}).json()
    verdicts = [(s["verdict"], s["cited"]) for s in body["sentences"]]
    assert verdicts == [("supported", [1]), ("removed", [])]
    assert body["sentences"][1]["reason"] and "Zebras" not in body["answer"]


def test_follow_up_with_history_is_answered_as_a_standalone_question(client: TestClient,
                                                                    generator: ScriptedGenerator) -> None:
    history = [{"role": "user", "content": "How many countries committed to the reassurance force in September?"},
               {"role": "assistant", "content": "Twenty-six [1]."}]
    body = client.post("/ask", json={"question": "and what did Germany say?", "history": history}).json()
    assert body["question"] == "and what did Germany say?"
    assert body["rewritten_question"].startswith("What did Germany say? (context: countries committed reassurance")
    assert body["rewritten_question"] in generator.calls[-1][-1]["content"]  # the model saw the standalone form


def test_question_used_as_asked_reports_no_rewrite(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "How many countries committed in September?"}).json()
    assert body["rewritten_question"] is None


def test_stream_announces_the_rewritten_question_before_the_tokens(client: TestClient) -> None:
    history = [{"role": "user", "content": "How many troops will France send?"}]
    with client.stream("POST", "/ask/stream", json={"question": "and Germany?", "history": history}) as response:
        raw = "".join(response.iter_text())
    first, data = raw.split("\n\n")[0].split("\n", 1)
    assert first == "event: rewrite"
    assert json.loads(data.removeprefix("data: ")) == {"question": "and Germany?",
                                                       "rewritten_question": "How many troops will Germany send?"}


def test_history_turns_must_name_a_known_role(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "and?", "history": [{"role": "robot", "content": "hi"}]})
    assert response.status_code == 422 and "history.0.role" in response.json()["detail"]


def test_a_failure_after_the_stream_has_begun_ends_it_with_an_error_event(client: TestClient,
                                                                          services: Services) -> None:
    class Failing(ScriptedGenerator):
        def generate(self, messages: object, max_tokens: int, grammar: str | None = None) -> Generation:
            raise RuntimeError("llama.cpp broke mid-answer")

    services.pipeline.generator = Failing("unused")
    body = {"question": "How many countries committed to the reassurance force?"}
    streamed = client.post("/ask/stream", json=body)
    assert streamed.status_code == 200 and "event: error" in streamed.text and "internal_error" in streamed.text
    assert "llama.cpp broke" not in streamed.text  # the trace stays in the server log
    chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": body["question"]}],
                                                     "stream": True})
    assert '"code": "internal_error"' in chat.text and "[DONE]" not in chat.text


def test_sources_that_disagree_on_the_answer_are_named_with_each_side(client: TestClient) -> None:
    report = ("The harbour commission chose Vireo Shipping to run the new container terminal at Port Elwyn, "
              "its chair said on Monday.")
    for article_id, text in (("harbour-a", report), ("harbour-b", report.replace("Vireo", "Castell"))):
        assert client.post("/documents", json={"id": article_id, "title": "Port Elwyn terminal", "text": text,
                                               "published": "2025-09-01"}).status_code == 201
    body = client.post("/ask", json={"question": "Which company will run the new container terminal at Port Elwyn?",
                                     "as_of": "2025-09-02"}).json()
    assert not body["abstained"], body
    [conflict] = body["conflicts"]
    assert conflict["kind"] == "account" and conflict["sentence"] in body["answer"]
    sides = {side["value"]: body["passages"][side["cited"] - 1]["article_id"] for side in conflict["sides"]}
    assert sides == {"Vireo Shipping": "harbour-a", "Castell Shipping": "harbour-b"}


def test_with_the_model_rewriter_a_follow_up_is_rewritten_by_the_model_and_reported(client: TestClient,
                                                                                   services: Services) -> None:
    from rag.conversation import REWRITE_SYSTEM, ModelRewriter

    def reply(messages: object) -> str:
        if messages[0]["content"] == REWRITE_SYSTEM:  # type: ignore[index]
            return "Standalone question: What did Italy say about sending troops to Ukraine?"
        return "Italy will not send troops [1]."

    rewriting = ScriptedGenerator(reply)
    services.pipeline.generator = rewriting
    services.pipeline.rewriter = ModelRewriter(rewriting)
    history = [{"role": "user", "content": "Which countries will send troops?"},
               {"role": "assistant", "content": "Twenty-six countries committed [1]."}]
    body = client.post("/ask", json={"question": "And Italy?", "history": history}).json()
    assert body["rewritten_question"] == "What did Italy say about sending troops to Ukraine?"
    assert rewriting.calls[0][0]["content"] == REWRITE_SYSTEM and "Follow-up question: And Italy?" in \
        rewriting.calls[0][1]["content"]
    first = client.post("/ask", json={"question": "Will Italy send troops?"}).json()  # no history: no rewrite
    assert first["rewritten_question"] is None
    calls = len(rewriting.calls)
    empty = client.post("/ask", json={"question": "   ", "history": history})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"] and len(rewriting.calls) == calls
