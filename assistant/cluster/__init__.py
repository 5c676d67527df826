"""Sanad on a Ray cluster (`--engine ray`): indexing as a Ray Data pipeline, answering over shards.

- `runtime`: connecting to a cluster, or starting a local one bound to 127.0.0.1.
- `stages`: the pipeline's steps (read, split and analyse, embed), plain classes Ray runs in workers.
- `build`: the pipeline and the shard writer: new documents become new shards of the index.
- `corpus`: corpus-wide statistics from the shards' own (document frequencies, lengths, vectors).
- `shard`: one shard in memory, answering a router's scatter/gather requests (a Ray actor).
- `router`: the scatter/gather channel scorer and the index view the answer step reads.
- `sanad`: `ShardedSanad`, the facade the CLI, the web chat and eval use with `--engine ray`.

Nothing here is imported unless `--engine ray` is asked for; `ray` itself only inside functions.
"""
