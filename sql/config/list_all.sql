-- name: list_all :page
-- params: limit, offset
-- not null: total
-- struct: ConfigEntry
-- A page of the settings by key, with their number (a short list: counted in full).
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM config) n
LEFT JOIN LATERAL (
    SELECT *
    FROM config
    ORDER BY key
    LIMIT $1 OFFSET $2
) p ON true
ORDER BY p.key;
