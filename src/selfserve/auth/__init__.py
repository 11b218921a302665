"""Who is calling and what they may do: API keys, principals, scopes, customer scoping."""
