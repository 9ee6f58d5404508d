"""The `inventory` provider: hand-written or exported YAML inventories (SPEC §6)."""

from providers.inventory.loader import INVENTORY_FORMAT, load_inventory, parse_inventory

__all__ = ["INVENTORY_FORMAT", "load_inventory", "parse_inventory"]
