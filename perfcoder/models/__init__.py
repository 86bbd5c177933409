"""Model backends: the bundled offline code models, local GGUF files, OpenAI-compatible servers and
Hugging Face directories, all behind one interface, with a cache of generations."""
