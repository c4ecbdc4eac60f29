"""Date and number formats of the languages Django does not describe (FORMAT_MODULE_PATH)."""
