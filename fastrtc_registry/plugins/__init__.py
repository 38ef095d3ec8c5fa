"""The plugins this package ships, registered through its own entry points.

Built-ins (``silero``, ``pause``, ``stopwords``) and adapters over real
back-ends live here, one module each. An adapter's back-end is an optional
extra (``pip install "fastrtc-registry[EXTRA]"``); importing this package
imports none of them.
"""
