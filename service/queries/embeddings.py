"""Embedding models and the vectors of chunks, one row per chunk and model."""

from collections.abc import Sequence
from uuid import UUID

from service.db import Executor
from service.queries.generated import chunk_embeddings
from service.queries.generated import embedding_models as models
from service.queries.generated.embedding_models import EmbeddingModel as EmbeddingModel

create_model = models.create
get_model_by_name = models.get_by_name
list_models = models.list_all
delete_model = models.delete
create_index = models.create_index
count_vectors = models.count_vectors
index_state = models.index_state
index_statement = models.index_statement
drop_index_statement = models.drop_index_statement
set_build_memory = models.set_build_memory
build_progress = models.build_progress
delete_by_transcript = chunk_embeddings.delete_by_transcript

_COPY_COLUMNS = ("chunk_id", "model_id", "user_id", "embedding")


async def chunk_ids(db: Executor, *, transcript_id: UUID, user_id: UUID) -> list[UUID] | None:
    """The transcript's chunk ids in chunk order, locked against a re-ingest until
    the transaction ends; None when the transcript is not the user's."""
    found = await chunk_embeddings.chunk_ids(db, transcript_id=transcript_id, user_id=user_id)
    return None if found is None else found.chunk_ids


async def create_many(
    db: Executor,
    *,
    model_id: int,
    user_id: UUID,
    vectors: Sequence[tuple[UUID, Sequence[float] | bytes]],
) -> int:
    """Writes (chunk_id, vector) pairs with one binary COPY; returns how many. The
    chunks must be the user's (the foreign key refuses anything else)."""
    await db.copy_records_to_table(
        "chunk_embeddings",
        records=[(chunk_id, model_id, user_id, vector) for chunk_id, vector in vectors],
        columns=_COPY_COLUMNS,
    )
    return len(vectors)
