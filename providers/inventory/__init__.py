"""The `inventory` provider: hand-written or exported YAML inventories."""

from providers.inventory.loader import INVENTORY, load_inventory, parse_inventory

__all__ = ["INVENTORY", "load_inventory", "parse_inventory"]
