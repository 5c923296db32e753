"""How See the model draws each tab: one module per part, the page only dispatches."""
