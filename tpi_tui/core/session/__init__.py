"""One session on disk and the workspace that holds the sessions: the file format (storage), the
hash-chained event log (chain), recorded conflicts, the schema gate, the store that writes, the
workspace and its tpi.toml (config)."""
