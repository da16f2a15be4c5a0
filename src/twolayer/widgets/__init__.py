"""ipywidgets explorers; each wraps a pure function of the library and redraws in < 0.2 s."""
