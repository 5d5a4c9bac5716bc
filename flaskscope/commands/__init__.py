"""Click commands, one module per concept; each one reads input, calls a core and renders."""
