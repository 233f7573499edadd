"""The schema tooling: migrations (yoyo), the embedded server, scratch databases,
schema snapshots and drift, the typed SQL check and the query-layer generator."""
