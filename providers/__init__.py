"""Built-in providers. Importing this package registers their file formats and live keywords.

Order matters for sniffing: the most specific formats come first.
"""

from auditor.snapshot import SNAPSHOT_FORMAT
from auditor.source import register_file_format, register_live_provider
from providers.inventory import INVENTORY_FORMAT
from providers.terraform import TERRAFORM_FORMAT

register_file_format(SNAPSHOT_FORMAT)
register_file_format(TERRAFORM_FORMAT)  # before the inventory: its sniffer accepts any YAML-ish text
register_file_format(INVENTORY_FORMAT)

from providers.railway import pull_source as _railway_pull  # noqa: E402  (light: httpx/graphql load inside it)

register_live_provider("railway", _railway_pull)
