"""Live collection from Azure Resource Graph into a snapshot.

One job per module: `query` (KQL), `clouds` (ARM endpoints, token scopes, authority hosts),
`credentials` (azure-identity), `retry` (throttling headers and back-off), `client` (one
Resource Graph request with retries), `paging` (`$skipToken` loops), `progress` (stderr),
`collector` (scope → batches → snapshot) and `args` (the CLI flags).

Nothing here imports the Azure SDK at import time: `client` and `credentials` import it inside
functions, so offline runs (`--snapshot`, `--demo`) never load it.
"""
