"""Chunk vectors: checked against their model before anything is written, and
replaced per transcript and model in the caller's transaction."""

import math
import struct
from collections.abc import Sequence
from uuid import UUID

from service.db import Executor
from service.queries import embeddings
from service.queries.embeddings import EmbeddingModel

MAX_DIMS = 2000  # what an HNSW index takes (migration 0013)

_FLOAT4_MAX = 3.4028234663852886e38

# Packing checks ~35,000 floats a millisecond (measured): a batch of more goes to the
# CPU pool (CpuPool.run_if), so it never holds the event loop past ~1.5 ms.
FLOATS_ON_THE_LOOP = 50_000


class EmbeddingError(ValueError):
    """Bad vectors or an unknown model: the message names the problem (answered 400)."""


class TranscriptNotFound(LookupError):
    pass


class ChunksChanged(RuntimeError):
    """The transcript's chunks were replaced after their texts were read: the vectors
    made from those texts belong to chunks that are gone (a job retries)."""


async def model_named(db: Executor, name: str) -> EmbeddingModel:
    model = await embeddings.get_model_by_name(db, name=name)
    if model is None:
        known = [m.name for m in await embeddings.list_models(db)]
        listed = ", ".join(known) if known else "none yet (tubebase embeddings add-model)"
        raise EmbeddingError(f"unknown embedding model {name!r}; registered models: {listed}")
    return model


def pack_vector(vector: Sequence[float], dims: int) -> bytes:
    """The vector in pgvector's binary form (as COPY sends it), once it is known to
    fit a model of `dims` dimensions: finite float4 values only."""
    if len(vector) != dims:
        raise EmbeddingError(f"has {len(vector)} dimensions, the model takes {dims}")
    # One pass in C for the common case; the slow scan only names a bad value.
    if not math.isfinite(sum(vector)):
        for position, value in enumerate(vector):
            if not math.isfinite(value):
                raise EmbeddingError(
                    f"holds {value} at position {position}: vectors must be finite"
                )
    try:
        return struct.pack(f">HH{dims}f", dims, 0, *vector)
    except OverflowError:
        position, value = next((i, v) for i, v in enumerate(vector) if abs(v) > _FLOAT4_MAX)
        raise EmbeddingError(
            f"holds {value} at position {position}, beyond float4's range"
        ) from None


def pack_vectors(vectors: Sequence[Sequence[float]], dims: int, where: str) -> list[bytes]:
    """Each vector packed, or EmbeddingError naming the first bad one as `where[i]`.
    Pure CPU work: a large batch runs in the CPU pool."""
    packed = []
    for position, vector in enumerate(vectors):
        try:
            packed.append(pack_vector(vector, dims))
        except EmbeddingError as exc:
            raise EmbeddingError(f"{where}[{position}] {exc}") from None
    return packed


async def replace_transcript_vectors(
    db: Executor,
    *,
    transcript_id: UUID,
    user_id: UUID,
    model: EmbeddingModel,
    vectors: Sequence[bytes],
    made_for: Sequence[UUID] | None = None,
) -> int:
    """The transcript's vectors of `model` (packed by pack_vectors), one per chunk in
    chunk order, replacing any it had; `made_for`: the chunk ids whose texts the
    vectors were made from, which must still be the transcript's. Needs a
    transaction."""
    assert db.is_in_transaction(), "replace_transcript_vectors needs a transaction"
    chunk_ids = await embeddings.chunk_ids(db, transcript_id=transcript_id, user_id=user_id)
    if chunk_ids is None:
        raise TranscriptNotFound(transcript_id)
    if made_for is not None and list(made_for) != chunk_ids:
        raise ChunksChanged(f"transcript {transcript_id} was re-chunked meanwhile")
    if len(vectors) != len(chunk_ids):
        raise EmbeddingError(
            f"vectors: the transcript has {len(chunk_ids)} chunks, got {len(vectors)} vectors "
            "(send one per chunk, in chunk order)"
        )
    await embeddings.delete_by_transcript(
        db, transcript_id=transcript_id, user_id=user_id, model_id=model.id
    )
    return await embeddings.create_many(
        db, model_id=model.id, user_id=user_id, vectors=list(zip(chunk_ids, vectors, strict=True))
    )


async def store_ingested_vectors(
    db: Executor,
    *,
    transcript_id: UUID,
    user_id: UUID,
    model: EmbeddingModel,
    by_chunk_index: dict[int, bytes],
    chunk_indexes: Sequence[int],
) -> int:
    """Vectors sent with an ingest's chunks (`chunk_indexes` are all the chunks'
    indexes; only some may carry a vector). The chunks are new: nothing to replace."""
    chunk_ids = await embeddings.chunk_ids(db, transcript_id=transcript_id, user_id=user_id)
    assert chunk_ids is not None, "the transcript was written in this transaction"
    pairs = [
        (chunk_id, by_chunk_index[index])
        for chunk_id, index in zip(chunk_ids, sorted(chunk_indexes), strict=True)
        if index in by_chunk_index
    ]
    return await embeddings.create_many(db, model_id=model.id, user_id=user_id, vectors=pairs)
