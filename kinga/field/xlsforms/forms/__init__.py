"""The seven form definitions, one module per domain (the README next door lists their fields)."""
