"""MMTL Studio's server: ``streamlit run app.py`` serves the app (``studio.py``, the frame and the router) behind
its door (``mmtl_core.door``): requests with a foreign Host header are refused before any page script runs, and
beyond loopback every request needs the token printed here at start. Streamlit finds ``app`` below and runs it.
"""

import sys

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from mmtl_core.door import Door, door_settings, start_message
from mmtl_core.errors import ConfigError

_address = config.get_option("server.address") or "0.0.0.0"  # unset: Streamlit listens on every interface
try:
    _door = door_settings(_address)
except ConfigError as e:
    sys.exit(f"MMTL Studio will not start: {e}")
_message = start_message(_door, _address, int(config.get_option("server.port")))
if _message:
    print(_message, flush=True)

app = st.App("studio.py", middleware=[Middleware(Door, settings=_door)])
