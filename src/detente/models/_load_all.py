"""Import every model module so each registers itself."""
