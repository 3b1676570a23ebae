"""(being written)"""

GENERATORS: list = []
