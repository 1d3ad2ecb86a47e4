"""Page logic for the Streamlit app that is testable without Streamlit.

uploads  — size/type validation, private temp files, safe download names
progress — frames-done / ETA text for the progress bar
results  — a picklable :class:`~analyzer.appkit.results.AppResult` built from an Analysis (cue cards,
           thumbnails, per-rep table, chart series, downloads)
charts   — Altair (Vega-Lite) charts of the key angles with rep spans and thresholds
compare  — headline metrics of two analysed clips side by side
webrtc   — ICE/TURN server configuration from the environment or Streamlit secrets
messages — exceptions → readable messages (never a traceback)
"""
