"""blastscope core: model, blast engine, policy, check runner, reports and CLI."""

__version__ = "0.1.0"
