"""Models of the ${NAMES[$app]} app."""
