"""The trained extractive reader: question + passages -> the best answer span, or no answer."""
