"""``NODELOOM_PLUGINS=fakes.deaf_plugin`` (with ``tests`` on ``PYTHONPATH``): the deaf
node in a server's or worker's catalogue. Never imported by the test process, whose
catalogue must stay free of test nodes."""

from fakes.deaf_node import DeafNode


class Deaf(DeafNode):
    pass
