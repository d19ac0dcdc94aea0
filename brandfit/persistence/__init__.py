"""Model store: manifests, atomic saves, verified loads and a keep-last-good registry."""
