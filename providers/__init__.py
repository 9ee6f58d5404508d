"""Built-in providers. Importing this package registers their file formats and live keywords.

Order matters for sniffing: the most specific formats come first.
"""

from auditor.snapshot import SNAPSHOT_FORMAT
from auditor.source import register_file_format
from providers.inventory import INVENTORY_FORMAT

register_file_format(SNAPSHOT_FORMAT)
register_file_format(INVENTORY_FORMAT)
