"""The top-level keys that tell a `terraform show -json` document, in a module of their own so
sniffing a file does not load the Terraform translator."""

#: top-level keys of `terraform show -json` output (any format version)
TOP_LEVEL_KEYS = frozenset(
    {
        "format_version",
        "terraform_version",
        "planned_values",
        "resource_changes",
        "prior_state",
        "configuration",
        "values",
        "resource_drift",
        "relevant_attributes",
        "output_changes",
        "applyable",
        "complete",
        "errored",
        "checks",
        "timestamp",
        "variables",
        "deferred_changes",
        "action_invocations",
    }
)
