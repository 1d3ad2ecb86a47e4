"""Small Streamlit helpers shared by the app's pages: error boxes and severity badges."""

from __future__ import annotations

import streamlit as st

from ..appkit.messages import user_message
from ..capture.models import VARIANTS

MODELS = sorted(VARIANTS, key=lambda v: v != "full")  # pose model variants, the default (full) first
#: How the pose model variants read in the app.
MODEL_LABELS = {"full": "Standard (full)", "lite": "Fast (lite)", "heavy": "Most accurate (heavy)"}
SEVERITY_BADGE = {
    "red": ":red-badge[Fix first]",
    "amber": ":orange-badge[Worth fixing]",
    "info": ":blue-badge[Note]",
    "positive": ":green-badge[Good]",
}


def show_error(exc: BaseException) -> None:
    """A plain-sentence error box for any failure (never a traceback)."""
    m = user_message(exc)
    st.error(f"**{m.title}.** {m.text}", icon="⚠️")
    st.session_state["last_error"] = m.code
