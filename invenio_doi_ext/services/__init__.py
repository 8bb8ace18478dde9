"""Operations shared by the REST API, the CLI and the administration page.

The faces (``resources``, ``cli``, ``administration``) parse input, call one of
these, and format the answer; what may be done, by whom, and how it touches the
lifecycle is decided here.
"""
