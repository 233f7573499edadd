"""A client of an OpenAI-compatible embeddings API (`POST {base}/embeddings`), as
served by OpenAI, Ollama (http://localhost:11434/v1), vLLM or llama.cpp."""

from collections.abc import Sequence

import httpx
import msgspec


class EndpointRefused(Exception):
    """The endpoint answered 4xx (but 429): retrying the same request will not help."""


class _Embedding(msgspec.Struct):
    embedding: list[float]
    index: int


class _Answer(msgspec.Struct):
    data: list[_Embedding]


_decode = msgspec.json.Decoder(_Answer).decode


class EmbeddingClient:
    def __init__(
        self, base_url: str, *, api_key: str | None, batch_size: int, timeout_seconds: float
    ) -> None:
        self.url = base_url.rstrip("/") + "/embeddings"
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.batch_size = batch_size
        self.timeout = timeout_seconds

    async def embed(self, model: str, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order, asked for `batch_size` texts at a time. A
        transport error, a 429 or a 5xx raises httpx.HTTPError (worth a retry)."""
        vectors: list[list[float]] = []
        async with httpx.AsyncClient(timeout=self.timeout, headers=self.headers) as client:
            for start in range(0, len(texts), self.batch_size):
                batch = list(texts[start : start + self.batch_size])
                response = await client.post(self.url, json={"model": model, "input": batch})
                if 400 <= response.status_code < 500 and response.status_code != 429:
                    raise EndpointRefused(
                        f"{self.url} refused model {model!r}: "
                        f"{response.status_code} {response.text[:300]}"
                    )
                response.raise_for_status()
                try:
                    answer = _decode(response.content)
                except msgspec.DecodeError as exc:
                    raise EndpointRefused(f"{self.url} answered no embeddings: {exc}") from None
                ordered = sorted(answer.data, key=lambda e: e.index)
                if [e.index for e in ordered] != list(range(len(batch))):
                    raise EndpointRefused(
                        f"{self.url} answered embeddings {[e.index for e in ordered][:10]} "
                        f"for {len(batch)} texts (expected each of 0..{len(batch) - 1} once)"
                    )
                vectors.extend(e.embedding for e in ordered)
        return vectors
