"""The declarative tiny network: an instructor's list of layers, checked, solved and explained.

One generator (slug "network") asks the output, the loss, one gradient or a parameter after one
optimizer step of any small network written as a list of layers. The modules, in the order a
config flows through them:

- ``layers``: the layer types: their options, checking and shapes.
- ``plan``: a config checked into a ``Plan`` that names and shapes everything (its docstring
  lists the names).
- ``layers_numpy``: the numpy forward/backward of each layer type and loss (sampling checks and
  the named mistakes; never the answer).
- ``engine``: the plan solved by torch autograd, and parameters as shown <-> as the engine holds them.
- ``text``: the prompt and the worked solution (Markdown with LaTeX).
- ``diagram``: the accessible SVG drawing of a plan with its numbers.
- ``generator``: ``NetworkGenerator``, registered in ``compute.generators``.

This file imports nothing, and no module here imports torch at import time (only inside solve
functions), so a web process can sample and draw without it.
"""
