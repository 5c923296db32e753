"""How Compare & tune draws its tabs: one module per part, the page only dispatches."""
