"""`tubebase embeddings add-model / list-models / drop-model`, and the embed_transcript job
against a small local server speaking the OpenAI embeddings API with deterministic vectors."""

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from service.cli import main
from tests.cli.test_worker_and_import import (
    create_user,
    enqueue,
    fetch,
    fresh_url,  # noqa: F401 (a fixture)
    get_job,
    ingest,
    words,
)
from tests.cli.test_worker_and_import import migrated_url as migrated_url


def fake_vector(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [digest[0] / 255 + 0.01, digest[1] / 255 + 0.01, digest[2] / 255 + 0.01]


class EmbeddingServer:
    """POST /v1/embeddings; `answers` queues status codes to give before succeeding."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "auth": self.headers["Authorization"]})
                owner.requests[-1].update(body)
                status = owner.answers.pop(0) if owner.answers else 200
                if status == 200:
                    payload = {
                        "object": "list",
                        "data": [
                            {"object": "embedding", "index": i, "embedding": fake_vector(text)}
                            for i, text in reversed(list(enumerate(body["input"])))
                        ],
                        "model": body["model"],
                    }
                else:
                    payload = {"error": {"message": f"status {status}"}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddingServer]:
    server = EmbeddingServer()
    monkeypatch.setenv("TUBEBASE_EMBEDDING_URL", server.url)
    monkeypatch.setenv("TUBEBASE_EMBEDDING_MODEL", "fake-3")
    monkeypatch.setenv("TUBEBASE_EMBEDDING_API_KEY", "sekret")
    monkeypatch.setenv("TUBEBASE_EMBEDDING_BATCH_SIZE", "2")
    yield server
    server.server.shutdown()


def test_add_list_and_drop_a_model(migrated_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["embeddings", "add-model", "fake-3", "--dims", "3", "--distance", "l2"]) == 0
    assert "added fake-3: 3 dimensions, l2" in capsys.readouterr().out
    indexes = fetch(migrated_url, "SELECT indexdef FROM pg_indexes WHERE indexname LIKE '%hnsw'")
    assert len(indexes) == 1
    assert "hnsw (((embedding)::vector(3)) vector_l2_ops) WHERE (model_id = " in indexes[0][0]

    assert main(["embeddings", "add-model", "fake-3", "--dims", "3"]) == 1
    assert "exists already" in capsys.readouterr().err
    assert main(["embeddings", "add-model", "x", "--dims", "0"]) == 1
    assert "--dims must be between 1 and 2000" in capsys.readouterr().err
    assert main(["embeddings", "add-model", "bad name!", "--dims", "3"]) == 1
    assert "is not a model name" in capsys.readouterr().err

    assert main(["embeddings", "list-models"]) == 0
    assert capsys.readouterr().out.split() == ["fake-3", "3", "dims", "l2", "0", "vectors"]

    assert main(["embeddings", "drop-model", "fake-3", "--yes"]) == 0
    assert "dropped fake-3" in capsys.readouterr().out
    assert fetch(migrated_url, "SELECT 1 FROM pg_indexes WHERE indexname LIKE '%hnsw'") == []
    assert main(["embeddings", "drop-model", "fake-3", "--yes"]) == 1


def test_embed_transcript_stores_the_endpoints_vector_for_every_chunk(
    migrated_url: str, endpoint: EmbeddingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["embeddings", "add-model", "fake-3", "--dims", "3"]) == 0
    carol = create_user(migrated_url)
    transcript_id = ingest(migrated_url, carol, words(1200))
    job = enqueue(
        migrated_url, carol, job_type="embed_transcript", entity_type="transcript",
        entity_id=transcript_id,
    )  # fmt: skip

    assert main(["worker", "--once"]) == 0

    done = get_job(migrated_url, job)
    assert done.status == "completed", done.error_message
    stored = fetch(
        migrated_url,
        "SELECT c.chunk_text, e.embedding::real[] AS v FROM chunk_embeddings e "
        "JOIN chunks c ON c.id = e.chunk_id ORDER BY c.chunk_index",
    )
    assert done.result == {"model": "fake-3", "vectors": len(stored)}
    assert len(stored) >= 3
    for row in stored:
        assert row["v"] == pytest.approx(fake_vector(row["chunk_text"]), rel=1e-6)
    assert [len(r["input"]) for r in endpoint.requests][:1] == [2]  # the batch size
    assert {r["path"] for r in endpoint.requests} == {"/v1/embeddings"}
    assert {r["auth"] for r in endpoint.requests} == {"Bearer sekret"}
    assert {r["model"] for r in endpoint.requests} == {"fake-3"}


def test_an_endpoint_that_is_down_is_retried_and_one_that_refuses_fails_the_job(
    migrated_url: str, endpoint: EmbeddingServer
) -> None:
    assert main(["embeddings", "add-model", "fake-3", "--dims", "3"]) == 0
    carol = create_user(migrated_url)
    transcript_id = ingest(migrated_url, carol, words(100))
    fields = {"job_type": "embed_transcript", "entity_type": "transcript"}

    endpoint.answers = [503]
    retried = enqueue(migrated_url, carol, entity_id=transcript_id, **fields)
    assert main(["worker", "--once"]) == 0
    again = get_job(migrated_url, retried)
    assert again.status == "queued"
    assert again.attempts == 1
    assert again.error_message is not None and "503" in again.error_message

    endpoint.answers = [400]
    refused = enqueue(
        migrated_url, carol, entity_id=transcript_id, payload={"model": "fake-3"},
        idempotency_key="second", **fields,
    )  # fmt: skip
    assert main(["worker", "--once"]) == 0
    failed = get_job(migrated_url, refused)
    assert failed.status == "failed"
    assert failed.error_message is not None and "refused model 'fake-3'" in failed.error_message
    assert fetch(migrated_url, "SELECT 1 FROM chunk_embeddings") == []


def test_embed_transcript_with_an_unregistered_model_fails_at_once(
    migrated_url: str, endpoint: EmbeddingServer
) -> None:
    carol = create_user(migrated_url)
    transcript_id = ingest(migrated_url, carol, words(50))
    job = enqueue(
        migrated_url, carol, job_type="embed_transcript", entity_type="transcript",
        entity_id=transcript_id,
    )  # fmt: skip
    assert main(["worker", "--once"]) == 0
    failed = get_job(migrated_url, job)
    assert failed.status == "failed"
    assert failed.error_message is not None and "unknown embedding model 'fake-3'" in (
        failed.error_message
    )
    assert endpoint.requests == []


def test_a_model_added_without_an_index_gets_one_from_build_index(
    migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["embeddings", "add-model", "bulk-3", "--dims", "3", "--no-index"]) == 0
    assert "none yet" in capsys.readouterr().out
    carol = create_user(migrated_url)
    ingest(migrated_url, carol, words(1200))
    fetch(
        migrated_url,
        "INSERT INTO chunk_embeddings (chunk_id, model_id, user_id, embedding)"
        " SELECT c.id, m.id, c.user_id, ARRAY[1, c.chunk_index + 1, 2]::real[]::vector"
        " FROM chunks c, embedding_models m",
    )
    hnsw = "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%hnsw'"
    assert fetch(migrated_url, hnsw) == []

    assert main(["embeddings", "build-index", "bulk-3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "built the index of bulk-3: " in out and " vectors in " in out
    assert len(fetch(migrated_url, hnsw)) == 1
    valid = "SELECT indisvalid FROM pg_index WHERE indexrelid::regclass::text LIKE '%hnsw'"
    assert fetch(migrated_url, valid)[0][0] is True

    assert main(["embeddings", "build-index", "bulk-3"]) == 0
    assert "has its index already" in capsys.readouterr().out
    assert main(["embeddings", "build-index", "nope"]) == 1
    assert main(["embeddings", "build-index", "bulk-3", "--memory", "lots"]) == 0  # exists
