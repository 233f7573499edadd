-- Every chunk of a transcript in one statement: the arrays are the columns.
WITH inserted AS (
    INSERT INTO chunks (user_id, transcript_id, chunk_index, chunk_text, token_count, metadata)
    SELECT $1, $2, c.chunk_index, c.chunk_text, c.token_count, c.metadata
    FROM unnest($3::integer[], $4::text[], $5::integer[], $6::jsonb[])
         AS c (chunk_index, chunk_text, token_count, metadata)
    RETURNING 1
)
SELECT count(*) FROM inserted;
