"""Model and document helpers behind the model and data nodes.

One job per module: ``extras`` (optional imports with a clear message), ``errors``
(provider faults with secrets scrubbed), ``chat`` (LangChain chat models by provider),
``llama_local`` (a GGUF file run in-process by llama-cpp-python), ``embeddings``
(LangChain ``Embeddings`` by provider) and ``documents`` (the data.loader formats).
Nothing here is imported when the node catalogue loads: nodes import it inside ``run``.
"""
