"""Live collection from Azure Resource Graph into a snapshot.

One job per module: `query` (KQL), `clouds` (ARM endpoints, token scopes, authority hosts),
`credentials` (azure-identity), `retry` (throttling headers and back-off), `waits` (the cap
and budget every wait goes through), `quota` (the per-user query quota shared by threads),
`protocol` (one page checked), `client` (one Resource Graph request with retries), `paging`
(`$skipToken` loops held to `totalRecords`), `schedule` (pages of many queries on a few
threads), `scope` (scope → subscriptions), `progress` (stderr), `collector` (batches →
snapshot) and `args` (the CLI flags).

Nothing here imports the Azure SDK at import time: `client` and `credentials` import it inside
functions, so offline runs (`--snapshot`, `--demo`) never load it.
"""
