"""Orders: the GET /orders family and (later) the order lifecycle."""
