"""The Streamlit pages of app.py (they need Streamlit; the page logic that does not lives in analyzer.appkit)."""
