-- name: delete :found
-- params: model_id
-- Its vectors go with it (ON DELETE CASCADE); its index is dropped by drop_index.
DELETE FROM embedding_models WHERE id = $1 RETURNING true AS deleted;
