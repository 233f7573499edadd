-- name: list_by_meeting :opt_page
-- params: meeting_id, user_id, limit, offset
-- not null: total
-- struct: Participant
-- A page of the meeting's participants in the order they were added, with their
-- number. No row at all: the meeting is not the caller's; one row of NULLs: an
-- empty page.
SELECT (SELECT count(*) FROM participants c WHERE c.meeting_id = m.id) AS total,
       p.id, p.user_id, p.meeting_id, p.name, p.email, p.is_organizer, p.created_at, p.updated_at
FROM meetings m
LEFT JOIN LATERAL (
    SELECT id, user_id, meeting_id, name, email, is_organizer, created_at, updated_at, position
    FROM participants
    WHERE meeting_id = m.id
    ORDER BY position
    LIMIT $3 OFFSET $4
) p ON true
WHERE m.id = $1 AND m.user_id = $2
ORDER BY p.position;
