-- name: is_listening :scalar
-- params: channel
-- not null: listening
-- The worker's check of its LISTEN connection: a connection that is cut without a
-- word (a NAT or a failover dropping it) would otherwise look alive, and the worker
-- would wait for notifications that never come until its poll.
SELECT $1::text = ANY (ARRAY(SELECT pg_listening_channels())) AS listening;
