"""News RAG: a local question-answering library over news articles with verified citations.

Data flows one way: articles -> chunks -> vectors -> store -> hits -> prompt -> reply -> cited answer.
Nothing heavy is imported here; models load only when a component is asked to.
"""
