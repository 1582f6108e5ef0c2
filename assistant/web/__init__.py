"""The staff chat in the browser (Gradio): app.py builds the page over a ``RightsService``; the
Contracts and Catalog tabs (contracts_tab.py, catalog_tab.py), uploads (uploads.py), sign-in
(auth.py), the request guard (guard.py) and document text made inert (inert.py)."""
