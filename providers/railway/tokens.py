"""What a Railway token found under a variable name is: one table for every provider that
meets Railway tokens (the live API's variables and Terraform's railway_variable resources).

`RAILWAY_API_TOKEN` holds an account token or a workspace token (both sent as Bearer); a name
cannot tell which, so it is taken as an account token — the broader reach (every workspace of
its owner) — and the finding says it was inferred. `RAILWAY_TOKEN` holds a project token.
"""

from __future__ import annotations

TOKEN_VARIABLES: dict[str, str] = {"RAILWAY_TOKEN": "project", "RAILWAY_API_TOKEN": "account"}
